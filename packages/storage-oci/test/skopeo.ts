import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'

const inCi = Boolean(process.env['CI'])

/** skopeo on PATH, the independent OCI client the interop tests check us against. */
export const skopeo = findOnPath('skopeo')
if (!skopeo && !inCi) {
  console.warn('\n*** skopeo is not on PATH: SKIPPING the skopeo/registry interop tests (apt-get install skopeo). In CI they fail instead. ***\n')
}
/** Use as `describe.skipIf(skipSkopeo)`: never skips under CI=true, so a missing skopeo fails there. */
export const skipSkopeo = !skopeo && !inCi

/** skopeo with an argument list (never a shell string); no image signatures are involved, hence the policy flag. */
export async function runSkopeo(...args: string[]): Promise<string> {
  if (!skopeo) throw new Error('skopeo is required in CI (CI is set) but is not on PATH: install it (apt-get install skopeo)')
  return (await promisify(execFile)(skopeo, ['--insecure-policy', ...args], { timeout: 120_000, encoding: 'buffer', maxBuffer: 1 << 24 })).stdout.toString('latin1')
}

function findOnPath(command: string): string | undefined {
  for (const entry of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(entry, command)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not in this PATH entry; try the next one.
    }
  }
  return undefined
}
