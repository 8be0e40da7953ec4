import { buildVersion, type ArtifactRef, type BuildOptions, type Manifest } from '@squizzle/core'
import type { CommandContext } from '../context.js'
import { evidenceOptions } from '../security/evidence-options.js'
import { signerFor } from '../security/signer-for.js'
import { toolVersion } from '../tool-version.js'
import { oneVersion, type ParsedCommand } from '../args.js'
import type { Command } from './command.js'
import { transactionScopeFor } from './transaction-scope.js'
import { lintStepFor, type LintStep } from '../lint/lint-step.js'
import { drizzleStep } from '../drizzle/drizzle-step.js'
import { snapshotEntry, snapshotFlags, snapshotOptionsFor, withSnapshot } from './snapshot-options.js'
import { checkBuildPush, pushVersion } from './push.js'

export const buildCommand: Command = {
  name: 'build',
  summary: 'Bundle the SQL files the release ledger does not list yet into a new, immutable version',
  usage:
    'squizzle build <version> [--notes TEXT] [--author NAME] [--irreversible] [--transaction-scope version|file] ' +
    '[--lint[=warn|error]] [--sign] [--push] [--no-snapshot] [--no-replay-cache] [--dev-url URL] [--check]',
  details: [
    '<version>        semantic version above the latest stored one (1.4.0, 2.0.0-rc.1)',
    '--notes TEXT     release notes stored in the manifest',
    '--author NAME    who built it (default: $SQUIZZLE_AUTHOR, else none)',
    '--irreversible   mark the version as impossible to roll back ' +
      '(otherwise every migration needs its rollback file:',
    '                 rollback/<name> for migrations/<name> or drizzle/<name>; ' +
      'config rollback.required: false relaxes it)',
    '--transaction-scope version|file   this version runs in one transaction, or one per file ' +
      '(default: config transactionScope, else version)',
    '--lint[=warn|error]   run squawk on the new files and report findings per file and line; =error fails the build',
    '--sign           sign it (see `squizzle sign --help`); the SBOM and provenance are attached either way',
    '--push           then push it (with its signature, SBOM and provenance) to the registry ' +
      '(registry in squizzle.config or $SQUIZZLE_REGISTRY), like squizzle push',
    '--no-snapshot    do not record the expected schema (schema/snapshot.json) in the bundle',
    '--dev-url URL    replay on this PostgreSQL server (a fresh database is created and dropped there;',
    '                 default $SQUIZZLE_DEV_URL, snapshot.devUrl, else an embedded server kept in .squizzle/replay)',
    '--no-replay-cache   replay every version and keep nothing (by default the replayed state of each built',
    '                 version is kept, on the dev server or in .squizzle/replay, and the next build, once it has',
    '                 proven that state against the stored versions, replays only its new version)',
    '--check          also prove the rollback on that database: apply, roll back (schema must equal the',
    "                 previous version's), apply again (schema must equal the snapshot); fails with nothing stored",
    'With a drizzle.config.{ts,js,json} in the project root, runs its drizzle-kit generate first ' +
      'and bundles the new files of paths.drizzle (default drizzle/).',
    'Released files must not change: a modified file fails the build with its name and version.',
    'What is new comes from the release ledger (db/squizzle.sum, or `ledger` in the config), not from',
    'the storage: a fresh clone builds only its new files. The ledger is checked against the storage',
    '(same digests, no stored version missing), and the version is appended to it once stored: commit',
    'the ledger with the SQL. Earlier versions the storage lacks are replayed for the snapshot from the',
    "repository's files, each checked against the ledger's SHA-256.",
  ],
  examples: [
    'squizzle build 1.0.0 --notes "users and orders"',
    'squizzle build 1.1.0 --check',
    'squizzle build 1.1.0 --json | jq -r .digest',
  ],
  options: {
    notes: { type: 'string' },
    author: { type: 'string' },
    irreversible: { type: 'boolean' },
    'transaction-scope': { type: 'string' },
    lint: { type: 'string' },
    sign: { type: 'boolean' },
    push: { type: 'boolean' },
    ...snapshotFlags,
  },
  bareValues: { lint: 'warn' },
  async run(ctx, args) {
    const version = oneVersion(args.positionals, 'build')
    const push = args.values['push'] === true
    if (push) await checkBuildPush(ctx)
    const storage = await ctx.openStorage('create')
    const author = (args.values['author'] as string | undefined) ?? ctx.io.env['SQUIZZLE_AUTHOR']
    const notes = args.values['notes'] as string | undefined
    // Resolved before building: a missing key, passphrase or token must not leave an unsigned version behind.
    const signer = args.values['sign'] === true ? await signerFor(ctx) : null
    const lint = lintStepFor(ctx, args.values['lint'])
    const drizzle = await drizzleStep(ctx)
    const attachments = evidenceAttachments(ctx, storage, signer)
    const snapshot = snapshotOptionsFor(ctx, args)
    const { ref, manifest } = await buildVersion({
      version,
      storage,
      ledger: ctx.ledgerPath(),
      ...sourceOptions(drizzle, ctx),
      toolVersion,
      ...(notes ? { notes } : {}),
      ...(author ? { author } : {}),
      ...settingsOptions(ctx, args),
      ...withSnapshot(snapshot),
      events: ctx.reporter.onEvent,
      ...(lint ? { beforeStore: lint.check } : {}),
      ...attachments,
      env: ctx.io.env,
    }).finally(() => snapshot?.close())
    const provenance = attachments.attachments ? (signer ? 'signed' : 'unsigned') : null
    reportBuilt(ctx, manifest, storage.name, provenance)
    // Pushed after the evidence is attached, so the registry gets the signature, SBOM and provenance too.
    const pushed = push
      ? await pushVersion(ctx, manifest.version, 'build --push', { allowStorageFlag: false })
      : undefined
    if (pushed) ctx.reporter.line(`${ctx.reporter.colors.green('✓')} pushed ${manifest.version} to ${pushed.to}`)
    ctx.reporter.result(ref.digest)
    const extra = { pushedTo: pushed?.to, signed: provenance === 'signed', lint }
    ctx.reporter.json(builtJson(ctx, ref, manifest, storage.name, extra), true)
    return 0
  },
}

type Signer = Awaited<ReturnType<typeof signerFor>>

/**
 * The SBOM, provenance and signature step, when the storage can attach or a signer is given. It runs before the
 * version's tag: a failure there (a broken lockfile, a signer that fails) leaves no version.
 */
function evidenceAttachments(
  ctx: CommandContext,
  storage: BuildOptions['storage'],
  signer: Signer | null,
): Pick<BuildOptions, 'attachments'> {
  if (!storage.attach && !signer) return {}
  return {
    attachments: async (artifact) =>
      (await import('@squizzle/security')).releaseEvidence(artifact, evidenceOptions(ctx, signer)),
  }
}

/** The source folders, with drizzle-kit's output folder when the project generates with it. */
function sourceOptions(drizzle: Awaited<ReturnType<typeof drizzleStep>>, ctx: CommandContext) {
  return {
    folders: { ...ctx.sourceFolders(), ...(drizzle ? { drizzle: drizzle.folder } : {}) },
    ...(drizzle ? { drizzleKitVersion: drizzle.version } : {}),
  }
}

/** What the flags and squizzle.config say about transactions, rollback files, no-transaction paths and limits. */
function settingsOptions(ctx: CommandContext, args: ParsedCommand) {
  return {
    ...transactionScopeFor(args.values['transaction-scope'], ctx.settings.transactionScope),
    ...(args.values['irreversible'] === true ? { irreversible: true } : {}),
    ...(ctx.settings.rollback?.required === false ? { rollbackRequired: false } : {}),
    ...(ctx.settings.noTransaction ? { noTransaction: ctx.settings.noTransaction } : {}),
    ...(ctx.settings.limits ? { limits: ctx.settings.limits } : {}),
  }
}

/** The `✓ built …` line, and the evidence line when the SBOM and provenance were attached. */
function reportBuilt(
  ctx: CommandContext,
  manifest: Manifest,
  storageName: string,
  provenance: 'signed' | 'unsigned' | null,
): void {
  const check = ctx.reporter.colors.green('✓')
  const sqlFiles = manifest.files.filter((f) => f.kind !== 'schema').length
  const plural = sqlFiles === 1 ? '' : 's'
  const snapshot = sqlFiles < manifest.files.length ? ' and a schema snapshot' : ''
  const irreversible = manifest.irreversible ? ', irreversible' : ''
  ctx.reporter.line(
    `${check} built ${manifest.version} (${sqlFiles} file${plural}${snapshot}${irreversible}) into ${storageName}`,
  )
  if (provenance)
    ctx.reporter.line(`  ${check} ${provenance === 'signed' ? 'signed; ' : ''}SBOM and provenance attached`)
}

/** The `--json` result of a build. */
function builtJson(
  ctx: CommandContext,
  ref: ArtifactRef,
  manifest: Manifest,
  storageName: string,
  extra: { pushedTo: string | undefined; signed: boolean; lint: LintStep | null },
) {
  const { pushedTo, signed, lint } = extra
  return {
    version: manifest.version,
    digest: ref.digest,
    bundleDigest: ref.bundleDigest,
    storage: storageName,
    ...(pushedTo !== undefined ? { pushedTo } : {}),
    ledger: ctx.ledgerPath(),
    previousVersion: manifest.previousVersion,
    previousDigest: manifest.previousDigest ?? null,
    irreversible: manifest.irreversible === true,
    signed,
    files: manifest.files
      .filter((f) => f.kind !== 'schema')
      .map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, transaction: f.transaction })),
    snapshot: snapshotEntry(manifest),
    ...(lint ? { lint: lint.findings } : {}),
  }
}
