import type { ScratchDatabase } from './scratch-database.js'

/** What {@link ReplayCache.restore} found: a scratch database holding the kept state, or why none is kept. */
export type RestoredReplay = { scratch: ScratchDatabase } | { missing: string }

/**
 * Replayed databases kept between builds, so that the next build replays only its
 * new version. A state is kept under a key (the manifest digest of the newest
 * version it holds, and the tool version); the cache adds to the key whatever else
 * changes the result on its server (e.g. the server's major version, the system
 * schema, the server's roles), so a state kept under other conditions is never
 * found. The cache is not trusted: the replay proves what `restore` gives against
 * the stored versions before it uses it.
 *
 * @example
 * ```ts
 * const restored = await cache.restore(key)
 * if ('missing' in restored) console.log(`full replay: ${restored.missing}`)
 * ```
 */
export interface ReplayCache {
  /** Where the states are kept, for messages; never holds a password. */
  readonly label: string
  /**
   * An empty scratch database for a full replay, on a server holding nothing earlier replays
   * created outside their databases (roles), as far as the cache can provide one.
   */
  fresh(): Promise<ScratchDatabase>
  /** A new scratch database holding a copy of the state kept under `key`, or why none is kept. */
  restore(key: string): Promise<RestoredReplay>
  /**
   * Keeps the state of `scratch` under `key`, replacing what was kept under it. `scratch` must
   * come from this cache's server (its scratch factory or `restore`). True: `scratch` is used up
   * (no longer to be disposed of) and `restore(key)` copies it. False: this cache cannot keep
   * states right now (e.g. another build holds it); `scratch` is untouched. A failure disposes of it.
   */
  keep(scratch: ScratchDatabase, key: string): Promise<boolean>
}

/**
 * The key a replayed state is kept under: the manifest digest of the newest version
 * it holds and the tool that replayed it (another engine may replay differently).
 *
 * @example
 * ```ts
 * await cache.restore(replayKey('sha256:ab12…', '0.1.0'))
 * ```
 */
export function replayKey(digest: string, toolVersion: string): string {
  return `${digest} squizzle ${toolVersion}`
}
