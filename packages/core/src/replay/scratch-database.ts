import type { DatabaseDriver } from '../driver/database-driver.js'

/**
 * An empty database that exists only for one replay: a server Squizzle started
 * itself, or a database created for the occasion on a development server.
 */
export interface ScratchDatabase {
  /** A connected driver on the empty database; it must offer `snapshotSchema`. */
  readonly driver: DatabaseDriver
  /** Where the database lives, for messages; never holds a password. */
  readonly label: string
  /** Closes the driver and drops the database or stops the server. Called exactly once. */
  dispose(): Promise<void>
}

/** Opens a fresh {@link ScratchDatabase}; each call gives a new, empty one. */
export type ScratchDatabaseFactory = () => Promise<ScratchDatabase>
