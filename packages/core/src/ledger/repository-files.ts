import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SourceFolders } from '../build/source-files.js'
import type { SqlKind } from '../manifest/manifest.js'
import type { Ledger, LedgerFile } from './ledger.js'
import type { LedgerProblem } from './ledger-storage.js'

/** A released file read from the repository: its bytes, or why they are not the released ones. */
export type ReleasedFileRead = { ok: true; file: string; bytes: Buffer } | { ok: false; problem: LedgerProblem }

/**
 * Where a bundle path lives in the project (`migrations/003_x.sql` under the
 * migrations folder), or null when the project has no folder for its kind.
 *
 * @example
 * ```ts
 * sourceFileOf({ migrations: 'db/migrations' }, 'migrations/003_x.sql') // 'db/migrations/003_x.sql'
 * ```
 */
export function sourceFileOf(folders: SourceFolders, path: string): string | null {
  const slash = path.indexOf('/')
  const folder = folders[path.slice(0, slash) as SqlKind]
  return folder === undefined ? null : join(folder, ...path.slice(slash + 1).split('/'))
}

/**
 * Reads a file the ledger lists from the repository and checks its SHA-256
 * against the ledger's.
 *
 * @example
 * ```ts
 * const read = await readReleasedFile(folders, '1.0.0', { path: 'migrations/001_users.sql', sha256 })
 * if (read.ok) bundle.push(read.bytes)
 * ```
 */
export async function readReleasedFile(
  folders: SourceFolders,
  version: string,
  entry: LedgerFile,
): Promise<ReleasedFileRead> {
  const file = sourceFileOf(folders, entry.path)
  const missing = { ok: false as const, problem: { kind: 'file-missing' as const, version, path: entry.path } }
  if (file === null) return missing
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return missing
    throw err
  }
  const current = createHash('sha256').update(bytes).digest('hex')
  if (current !== entry.sha256) {
    return { ok: false, problem: { kind: 'file-modified', version, path: entry.path, ledger: entry.sha256, current } }
  }
  return { ok: true, file, bytes }
}

/**
 * Checks that every file the ledger lists is in the repository, unchanged.
 *
 * @example
 * ```ts
 * const problems = await checkRepository(ledger, { migrations: 'db/migrations', rollback: 'db/rollback' })
 * ```
 */
export async function checkRepository(ledger: Ledger, folders: SourceFolders): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = []
  for (const v of ledger.versions) {
    for (const entry of v.files) {
      const read = await readReleasedFile(folders, v.version, entry)
      if (!read.ok) problems.push(read.problem)
    }
  }
  return problems
}
