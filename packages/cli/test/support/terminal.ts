import { spawn } from 'node:child_process'
import { inject } from 'vitest'
import { binPath } from './cli-process.js'

/** A CLI run under a real pseudo-terminal (util-linux `script`): the raw bytes the terminal got. */
export interface TerminalRun {
  /** Resolves with the output once `text` has appeared in it. */
  waitFor(text: string | RegExp): Promise<string>
  /** Types into the terminal (e.g. an answer and a newline). */
  type(text: string): void
  /** Presses Ctrl-C: the terminal sends SIGINT to the program running in it. */
  interrupt(): void
  done: Promise<{ code: number | null; output: string }>
}

/**
 * Starts `squizzle <args>` in `cwd` under a pseudo-terminal, with `env` added to a clean
 * environment (colour on: no NO_COLOR). Every argument is passed as its own word.
 *
 * @example
 * ```ts
 * const t = inTerminal(['rollback'], { cwd, env: { DATABASE_URL: url } })
 * await t.waitFor('[y/N]'); t.type('y\n'); const { code } = await t.done
 * ```
 */
export function inTerminal(args: string[], options: { cwd: string; env?: Record<string, string> }): TerminalRun {
  const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`
  const command = [process.execPath, binPath, ...args].map(quote).join(' ')
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: options.cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      TERM: 'xterm-256color',
      SQUIZZLE_DEV_URL: inject('postgresUrl'),
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  const waiters: { test: (s: string) => boolean; resolve: (s: string) => void }[] = []
  const seen = (d: Buffer) => {
    output += d.toString('utf8')
    for (const w of [...waiters]) if (w.test(output)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(output)
  }
  child.stdout.on('data', seen)
  child.stderr.on('data', seen)
  const done = new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    child.on('error', (err) =>
      reject(new Error(`cannot run \`script\` (util-linux) for a pseudo-terminal: ${err.message}`)),
    )
    child.on('close', (code) => resolve({ code, output }))
  })
  return {
    waitFor(text) {
      const test = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s))
      if (test(output)) return Promise.resolve(output)
      return new Promise((resolve) => waiters.push({ test, resolve }))
    },
    type: (text) => void child.stdin.write(text),
    interrupt: () => void child.stdin.write('\u0003'),
    done,
  }
}

/** Output as a person sees it: colour and line-clearing sequences out, carriage returns kept as line breaks. */
export function visibleText(output: string): string {
  return output.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/\r\n/g, '\n')
}
