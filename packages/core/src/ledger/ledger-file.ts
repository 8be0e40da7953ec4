import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { parseLedger, serializeLedger } from './ledger-format.js'
import type { Ledger } from './ledger.js'

/**
 * Reads and checks the ledger file; null when there is none (a project that has
 * released nothing yet, or one from before the ledger existed).
 *
 * @example
 * ```ts
 * const ledger = (await readLedgerFile('db/squizzle.sum')) ?? emptyLedger
 * ```
 */
export async function readLedgerFile(file: string): Promise<Ledger | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  return parseLedger(text, file)
}

/**
 * Writes the ledger file, creating its folder. The new text replaces the old in
 * one rename, so a crash leaves the old ledger or the new one, never half of one.
 *
 * @example
 * ```ts
 * await writeLedgerFile('db/squizzle.sum', appendRelease(ledger, entry))
 * ```
 */
export async function writeLedgerFile(file: string, ledger: Ledger): Promise<void> {
  const text = serializeLedger(ledger, file)
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  try {
    await writeFile(temporary, text)
    await rename(temporary, file)
  } finally {
    await rm(temporary, { force: true })
  }
}
