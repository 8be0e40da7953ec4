import { spawn } from 'node:child_process'
import { accessSync, constants, readdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** psql from PATH, else from Debian's /usr/lib/postgresql/<major>/bin, else null. */
export function findPsql(): string | null {
  const candidates = (process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, 'psql'))
  try {
    for (const major of readdirSync('/usr/lib/postgresql').sort().reverse())
      candidates.push(join('/usr/lib/postgresql', major, 'bin', 'psql'))
  } catch {
    // No Debian PostgreSQL packages.
  }
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // Try the next one.
    }
  }
  return null
}

/**
 * Runs the files in order in ONE psql session (`-f` once per file, as a user
 * replaying a history would), stopping at the first error. Argument list, no shell.
 */
export function runPsqlFiles(psql: string, url: string, cwd: string, files: readonly string[]): Promise<void> {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...files.flatMap((f) => ['-f', f])]
  return new Promise((resolve, reject) => {
    const child = spawn(psql, args, {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' },
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 20_000) stderr += d.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited with ${code}: ${stderr}`))))
  })
}
