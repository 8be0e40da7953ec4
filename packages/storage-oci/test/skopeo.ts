import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'

const inCi = Boolean(process.env['CI'])

/** skopeo on PATH, the independent OCI client the interop tests check us against. */
export const skopeo = findOnPath('skopeo')
if (!skopeo && !inCi) {
  console.warn(
    '\n*** skopeo is not on PATH: SKIPPING the skopeo tests (apt-get install skopeo). In CI they fail. ***\n',
  )
}
/** Use as `describe.skipIf(skipSkopeo)`: never skips under CI=true, so a missing skopeo fails there. */
export const skipSkopeo = !skopeo && !inCi

/** skopeo with an argument list (never a shell string); no image signatures are involved, hence the policy flag. */
export async function runSkopeo(...args: string[]): Promise<string> {
  if (!skopeo) throw new Error('skopeo is required in CI (CI is set) but is not on PATH: apt-get install skopeo')
  const options = { timeout: 120_000, encoding: 'buffer', maxBuffer: 1 << 24 } as const
  return (await promisify(execFile)(skopeo, ['--insecure-policy', ...args], options)).stdout.toString('latin1')
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
