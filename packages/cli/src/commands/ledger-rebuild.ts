import { access } from 'node:fs/promises'
import { ledgerFromStorage, writeLedgerFile, type ArtifactStorage } from '@squizzle/core'
import type { StorageUse } from '../storage-presence.js'
import type { CommandContext } from '../context.js'
import { exitCodes } from '../exit-codes.js'
import { trustPolicyFor } from '../security/trust-policy.js'

/**
 * `squizzle ledger rebuild`: writes the ledger from a storage's versions, each
 * verified (digests, files, checksum, the trust policy) before it is listed.
 *
 * @example
 * ```ts
 * await rebuildLedger(ctx, 'oci://ghcr.io/acme/db-migrations')
 * ```
 */
export async function rebuildLedger(ctx: CommandContext, from: string | undefined): Promise<number> {
  const storage = await storageFor(ctx, from)
  const file = ctx.ledgerPath()
  const existed = await access(file).then(
    () => true,
    () => false,
  )
  const policy = await trustPolicyFor(ctx)
  const ledger = await ledgerFromStorage({ storage, policy, limits: ctx.settings.limits, events: ctx.reporter.onEvent })
  await writeLedgerFile(file, ledger)
  const r = ctx.reporter
  const shown = ctx.displayPath(file)
  const versions = ledger.versions.map((v) => v.version)
  const count = `${versions.length} version${versions.length === 1 ? '' : 's'}`
  const verb = existed ? 'rewrote' : 'wrote'
  r.line(`${r.colors.green('✓')} ${verb} ${shown} from ${storage.name}: ${count} (${versions.join(', ')})`)
  r.line(`Next: squizzle ledger verify, then commit ${shown} with the SQL.`)
  const listed = ledger.versions.map((v) => ({ ...v, files: v.files.map((f) => f.path) }))
  r.json({ ledger: file, storage: storage.name, replaced: existed, versions: listed }, true)
  return exitCodes.ok
}

/**
 * The storage `--from` names, else the configured one. `verify` passes `optional`: a fresh
 * clone has no local storage yet, and its ledger is still checked against the repository.
 *
 * @example
 * ```ts
 * const storage = await storageFor(ctx, args.values['from'] as string | undefined)
 * ```
 */
export async function storageFor(
  ctx: CommandContext,
  from: string | undefined,
  use: StorageUse = 'required',
): Promise<ArtifactStorage> {
  return from === undefined ? ctx.openStorage(use) : ctx.openStorageUrl(from, use)
}
