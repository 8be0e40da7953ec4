import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/** Debian's chromium (what .ci/run installs), or SQUIZZLE_CHROMIUM. */
export const chromiumPath = process.env['SQUIZZLE_CHROMIUM'] ?? '/usr/bin/chromium'

/**
 * Whether the browser tests can run. Outside CI a missing chromium skips them, saying so
 * loudly; under CI=true it is a failure (the tests then run and fail on the missing browser).
 *
 * @example
 * ```ts
 * describe.skipIf(!browserAvailable())('in a browser', () => { … })
 * ```
 */
export function browserAvailable(): boolean {
  if (existsSync(chromiumPath)) return true
  if (process.env['CI'] === 'true') return true
  console.warn(
    `\n*** chromium is not installed at ${chromiumPath}: SKIPPING the console's browser tests. ` +
      'Install it (apt-get install chromium) or set SQUIZZLE_CHROMIUM; under CI=true they fail instead. ***\n',
  )
  return false
}

/** Where screenshots go (gitignored): apps/console/test-artifacts/. */
export async function artifactsDir(): Promise<string> {
  const dir = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))
  await mkdir(dir, { recursive: true })
  return dir
}
