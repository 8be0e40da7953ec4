import { spawn } from 'node:child_process'
import { redactSecrets, SquizzleError, type FleetTarget } from '@squizzle/core'
import { targetRows } from './target-rows.js'

/**
 * Runs the configured command (an argv, no shell: nothing is spliced into a command
 * line) in the config's folder and reads its stdout as a JSON array of targets, or as
 * JSON lines (one target per line). A non-zero exit, or output neither form parses, is
 * `FLEET_TARGETS_UNAVAILABLE`, with the end of its stderr (secrets removed).
 *
 * @example
 * ```ts
 * await commandTargets(['./list-tenants', '--json'], { cwd: root, env: process.env, secrets: () => [] })
 * ```
 */
export async function commandTargets(
  argv: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; secrets: () => string[] },
): Promise<FleetTarget[]> {
  const source = `the command ${argv[0]}`
  const { code, stdout, stderr } = await runCommand(argv, options)
  if (code !== 0) {
    const said = redactSecrets(stderr.trim().split('\n').slice(-3).join(' / '), options.secrets())
    throw unavailable(`${source} exited with ${code}${said ? `: ${said}` : ''}`)
  }
  return targetRows(parseOutput(stdout, source), source)
}

function runCommand(argv: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  return new Promise<{ code: number | string; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
    child.on('error', (err) =>
      resolve({ code: (err as NodeJS.ErrnoException).code ?? 'an error', stdout, stderr: err.message }),
    )
    child.on('close', (code, signal) => resolve({ code: code ?? signal ?? 'a signal', stdout, stderr }))
  })
}

/** A JSON array, or JSON lines. */
function parseOutput(stdout: string, source: string): unknown {
  const text = stdout.trim()
  try {
    if (text.startsWith('[')) return JSON.parse(text)
    return text === ''
      ? []
      : text
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l))
  } catch {
    throw unavailable(`${source} printed neither a JSON array nor JSON lines of targets`)
  }
}

function unavailable(message: string): SquizzleError {
  return new SquizzleError('FLEET_TARGETS_UNAVAILABLE', message, {
    hint:
      'Run the command by hand: it must exit 0 and print [{"name": …, "url": …}, …] ' + 'or one such object per line.',
  })
}
