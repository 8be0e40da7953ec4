import { resolve } from 'node:path'
import {
  checkRepository,
  compareWithStorage,
  findSourceFiles,
  ledgerStorageError,
  readLedgerFile,
  releasedFiles,
  SquizzleError,
  type ArtifactStorage,
  type Ledger,
  type LedgerProblem,
  type SourceFolders,
  type VersionInfo,
} from '@squizzle/core'
import type { CommandContext } from '../context.js'
import { cliHint } from '../output/remedy-command.js'
import { findDrizzleConfig } from '../drizzle/find-drizzle-config.js'
import { exitCodes } from '../exit-codes.js'
import { storageFor } from './ledger-rebuild.js'

/**
 * `squizzle ledger verify`: the ledger's chain (reading it checks every hash), every
 * file it lists against the repository, and its versions against the storage's.
 * Exit 3 when anything disagrees.
 *
 * @example
 * ```ts
 * const code = await verifyLedger(ctx, undefined)
 * ```
 */
export async function verifyLedger(ctx: CommandContext, from: string | undefined): Promise<number> {
  const file = ctx.ledgerPath()
  const ledger = await readLedgerFile(file)
  const storage = await storageFor(ctx, from, 'optional')
  const stored = await storage.list()
  if (ledger === null) return noLedger(ctx, file, storage, stored)
  const folders = await releaseFolders(ctx)
  const problems = [...(await checkRepository(ledger, folders)), ...compareWithStorage(ledger, stored)]
  const released = releasedFiles(ledger)
  const unreleased = (await findSourceFiles(folders)).map((s) => s.path).filter((p) => !released.has(p))
  printReport(ctx, { file, ledger, storage, stored, problems, unreleased })
  ctx.reporter.json({
    ok: problems.length === 0,
    ledger: file,
    versions: ledger.versions.map((v) => ({ version: v.version, digest: v.digest, files: v.files.length })),
    storage: storage.name,
    stored: stored.map((v) => v.version),
    problems,
    unreleased,
  })
  return problems.length === 0 ? exitCodes.ok : exitCodes.integrity
}

interface LedgerReport {
  file: string
  ledger: Ledger
  storage: ArtifactStorage
  stored: readonly VersionInfo[]
  problems: readonly LedgerProblem[]
  unreleased: readonly string[]
}

function printReport(ctx: CommandContext, report: LedgerReport): void {
  const { ledger, storage, stored, problems, unreleased } = report
  const r = ctx.reporter
  const c = r.colors
  const files = ledger.versions.reduce((n, v) => n + v.files.length, 0)
  const shown = ctx.displayPath(report.file)
  const counts = `${plural(ledger.versions.length, 'version')}, ${plural(files, 'file')}`
  r.line(`${c.green('✓')} ${shown}: ${counts}, every hash intact`)
  const local = problems.filter((p) => p.kind === 'file-missing' || p.kind === 'file-modified').length
  if (local === 0) r.line(`${c.green('✓')} every released file is in the repository, unchanged`)
  const inBoth = stored.filter((v) => ledger.versions.some((l) => l.version === v.version)).length
  if (problems.length === local) {
    const same = inBoth ? ', the same artifacts' : ''
    r.line(`${c.green('✓')} ${storage.name} holds ${inBoth} of them${same} and no other version`)
  }
  for (const p of problems) {
    const err = ledgerStorageError(p, { file: shown, storage: storage.name })
    r.line(`${c.red('✗')} ${err.message} ${c.dim(`[${err.code}]`)}`)
    const hint = cliHint(err)
    if (hint) r.line(`  ${c.cyan('hint:')} ${hint}`)
  }
  if (unreleased.length) r.line(`${plural(unreleased.length, 'file')} not released yet: ${unreleased.join(', ')}`)
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

function noLedger(ctx: CommandContext, file: string, storage: ArtifactStorage, stored: readonly VersionInfo[]): number {
  const shown = ctx.displayPath(file)
  if (stored.length > 0) {
    const message = `${shown} does not exist, but ${storage.name} holds ${plural(stored.length, 'version')}`
    throw new SquizzleError('LEDGER_MISSING', message, {
      hint:
        'Write it from the storage that holds every released version, then commit it: ' +
        'squizzle ledger rebuild --from <storage-url>.',
      details: { file, storage: storage.name, versions: stored.length },
    })
  }
  ctx.reporter.line(`No ledger yet (${shown}): nothing has been released. The first build writes it.`)
  const empty = { versions: [], stored: [], problems: [], unreleased: [] }
  ctx.reporter.json({ ok: true, ledger: file, storage: storage.name, ...empty })
  return exitCodes.ok
}

/** The source folders build reads, drizzle's output included when the project uses drizzle. */
async function releaseFolders(ctx: CommandContext): Promise<SourceFolders> {
  const folders = ctx.sourceFolders()
  if ((await findDrizzleConfig(ctx.root)) === null) return folders
  return { ...folders, drizzle: resolve(ctx.root, ctx.settings.paths?.drizzle ?? 'drizzle') }
}
