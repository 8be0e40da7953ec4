// Writes a project whose ledger and local layout already hold `count` released versions
// (one small migration each), exactly as `squizzle build` writes them, without running a
// build per version: the history-scale benchmarks need 1,000 of them in seconds.
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  appendRelease,
  computeChecksum,
  emptyLedger,
  validateManifest,
  writeBundle,
  writeLedgerFile,
} from '@squizzle/core'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { newProject } from './setup.mjs'

/** The version number of the i-th version (1-based): 1.0.0, 1.1.0, … */
export const versionAt = (i) => `1.${i - 1}.0`

/** The i-th migration: one table, one index, a few rows. */
export function migrationAt(i) {
  const name = `${String(i).padStart(5, '0')}_t${i}.sql`
  const sql = [
    `CREATE TABLE t_${i} (id integer PRIMARY KEY, name text NOT NULL);`,
    `CREATE INDEX t_${i}_name_idx ON t_${i} (name);`,
    `INSERT INTO t_${i} VALUES (1, 'one'), (2, 'two');`,
    '',
  ].join('\n')
  return { name, sql }
}

/**
 * A project at `dir` with `count` released versions in its ledger and its layout.
 *
 * @param {string} dir
 * @param {number} count
 * @param {string} toolVersion
 */
export async function writeHistory(dir, count, toolVersion) {
  newProject(dir)
  const storage = createFilesystemStorage(join(dir, '.squizzle', 'artifacts'))
  let ledger = emptyLedger
  let previous = null
  for (let i = 1; i <= count; i++) {
    const { name, sql } = migrationAt(i)
    const bytes = Buffer.from(sql)
    writeFileSync(join(dir, 'db', 'migrations', name), bytes)
    const path = `migrations/${name}`
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    const files = [{ path, kind: 'migrations', size: bytes.length, sha256, transaction: true }]
    const version = versionAt(i)
    const manifest = validateManifest({
      formatVersion: 1,
      version,
      previousVersion: previous?.version ?? null,
      previousDigest: previous?.digest ?? null,
      created: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      tools: { squizzle: toolVersion },
      transactionScope: 'version',
      irreversible: true,
      files,
      checksum: computeChecksum(files),
    })
    const ref = await storage.push({
      manifest,
      bundle: writeBundle([{ path, size: bytes.length, sha256, source: bytes }]),
    })
    ledger = appendRelease(ledger, {
      version,
      digest: ref.digest,
      previousVersion: previous?.version ?? null,
      files: [{ path, sha256 }],
    })
    previous = { version, digest: ref.digest }
  }
  mkdirSync(join(dir, 'db'), { recursive: true })
  await writeLedgerFile(join(dir, 'db', 'squizzle.sum'), ledger)
  return dir
}
