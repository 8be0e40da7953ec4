import { join } from 'node:path'
import { rollbackRoundTrip, SquizzleError, type Manifest, type SnapshotOptions } from '@squizzle/core'
import { openReplayServer, parseConnectionUrl } from '@squizzle/driver-postgres'
import type { ParsedCommand } from '../args.js'
import type { CommandContext } from '../context.js'

/** The options `build` adds for the schema snapshot. */
export const snapshotFlags = {
  'no-snapshot': { type: 'boolean' },
  'no-replay-cache': { type: 'boolean' },
  'dev-url': { type: 'string' },
  check: { type: 'boolean' },
} as const

/** How a build records its schema snapshot, and the replay server to close once it is done. */
export interface SnapshotSetup {
  options: SnapshotOptions
  /** Stops the embedded server (its kept cluster stays in .squizzle/replay) or closes the dev-server connection. */
  close(): Promise<void>
}

/** Where the embedded replay server's cluster, with the replayed states, is kept between builds. */
export const replayCacheDir = join('.squizzle', 'replay')

/**
 * How this build records its schema snapshot, or undefined when it does not:
 * `--no-snapshot` or `snapshot.enabled: false` turn it off; the replay runs on
 * `--dev-url`, `$SQUIZZLE_DEV_URL` or `snapshot.devUrl` when given, else on an
 * embedded PostgreSQL server whose cluster is kept in `.squizzle/replay`. The
 * replayed state of each built version is kept there (or on the dev server), so the
 * next build replays only its new version; `--no-replay-cache` replays every version
 * and keeps nothing. `--check` adds the rollback proof (apply → rollback → apply on
 * the same scratch database).
 *
 * @example
 * ```ts
 * const snapshot = snapshotOptionsFor(ctx, args) // { options: { scratch, cache }, close } or undefined
 * ```
 */
export function snapshotOptionsFor(ctx: CommandContext, args: ParsedCommand): SnapshotSetup | undefined {
  const check = args.values['check'] === true
  if (args.values['no-snapshot'] === true || ctx.settings.snapshot?.enabled === false) {
    if (check) {
      throw new SquizzleError(
        'USAGE',
        '--check proves the rollback on the snapshot replay, which this build turns off',
        {
          hint: 'Drop --no-snapshot (or snapshot.enabled: false) to use --check.',
        },
      )
    }
    return undefined
  }
  // An empty value (SQUIZZLE_DEV_URL= in a CI file) means "not set", as for DATABASE_URL in most tools.
  const devUrl = [
    args.values['dev-url'] as string | undefined,
    ctx.io.env['SQUIZZLE_DEV_URL'],
    ctx.settings.snapshot?.devUrl,
  ].find((u) => u !== undefined && u !== '')
  if (devUrl !== undefined) {
    parseConnectionUrl(devUrl)
    ctx.registerUrlSecrets(devUrl)
  }
  const applicationName = `${ctx.settings.database?.applicationName ?? 'squizzle'} (replay)`
  const cache = args.values['no-replay-cache'] !== true
  const where = devUrl !== undefined ? { devUrl } : { keepDir: join(ctx.root, replayCacheDir) }
  const server = openReplayServer({ ...where, cache, applicationName })
  const options: SnapshotOptions = {
    scratch: server.scratch,
    ...(server.cache ? { cache: server.cache } : {}),
    ...(check ? { checks: [rollbackRoundTrip(ctx.reporter.onEvent)] } : {}),
  }
  return { options, close: () => server.close() }
}

/**
 * `{ snapshot }` for `buildVersion`'s options, or nothing when the build records none.
 *
 * @example
 * ```ts
 * await buildVersion({ ...options, ...withSnapshot(snapshotOptionsFor(ctx, args)) })
 * ```
 */
export function withSnapshot(snapshot: SnapshotSetup | undefined): { snapshot?: SnapshotOptions } {
  return snapshot ? { snapshot: snapshot.options } : {}
}

/**
 * The snapshot file a built manifest lists (path, size, SHA-256), or null, for `build --json`.
 *
 * @example
 * ```ts
 * snapshotEntry(manifest) // { path: 'schema/snapshot.json', size: 2048, sha256: '…' }
 * ```
 */
export function snapshotEntry(manifest: Manifest): { path: string; size: number; sha256: string } | null {
  const file = manifest.files.find((f) => f.kind === 'schema')
  return file ? { path: file.path, size: file.size, sha256: file.sha256 } : null
}
