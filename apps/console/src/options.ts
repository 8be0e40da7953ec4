import type { ArtifactPolicy, ArtifactStorage, BundleLimits, DatabaseDriver } from '@squizzle/core'

/** A database the console reports on: one environment of the config, or a fleet member. */
export interface ConsoleTarget {
  /** Unique, URL-safe name shown in the grid, e.g. `production`. */
  name: string
  /** Where it is, as shown to users; any URL password is redacted again before it is shown. */
  location: string
  /** Opens a connected driver; called on first need and again after a failure. */
  connect(): Promise<DatabaseDriver>
}

export interface ConsoleOptions {
  storage: ArtifactStorage
  targets?: ConsoleTarget[]
  /** The trust policy signatures are verified against; without one they are shown as unchecked. */
  policy?: ArtifactPolicy
  /** Required on a non-loopback host: requests must present it (Bearer header or the cookie `/?token=` sets). */
  token?: string
  /** Default 127.0.0.1. */
  host?: string
  /** Default 4400; 0 picks a free port. */
  port?: number
  /** Values that must never appear in a response (database passwords, registry tokens). */
  secrets?: string[]
  /** Releases per page of the release list (default 25: a first view well under a second with 1,000 versions). */
  pageSize?: number
  /** How often pages poll for changes, in milliseconds (default 2000). */
  pollMs?: number
  /** Recorded by the migrator status reads; default the console's package version. */
  toolVersion?: string
  limits?: Partial<BundleLimits>
}
