import { hasErrorCode, parseVersion, SquizzleError, type RollbackCheck, type RollbackResult } from '@squizzle/core'
import { versionArguments } from '../args.js'
import type { CommandContext } from '../context.js'
import { exitCodes } from '../exit-codes.js'
import { confirmed } from '../output/confirm.js'
import type { Reporter } from '../output/reporter.js'
import type { Command } from './command.js'
import { migratorFor } from './migrator-for.js'
import { printSqlLayout } from './print-sql-layout.js'
import { printDetailedDifferences } from './schema-differences.js'
import { withDatabase } from './with-database.js'

export const rollbackCommand: Command = {
  name: 'rollback',
  summary:
    'Undo the current version (or every version above --to), newest first, with the rollback SQL kept at apply time',
  usage: 'squizzle rollback [--to <version>] [--dry-run] [--force] [--yes]',
  details: [
    '--to VERSION   undo every applied version above VERSION, newest first (default: only the current one)',
    '--dry-run      print the rollback SQL that would run, change nothing',
    '--force        record the rollback even though the schema afterwards differs from the one it returns to',
    '               (e.g. objects Squizzle does not manage); audited with the differences',
    'The SQL comes from the database (kept and verified at apply time): storage need not be reachable.',
    "Each migration's rollback file runs, in reverse migration order. Before the rollback is recorded, the",
    'live schema is compared with the snapshot of the version it returns to: a difference fails the rollback',
    '(ROLLBACK_INCOMPLETE, exit 1) and, when it ran in one transaction, leaves the database as it was.',
    'Each version is its own history entry; afterwards `apply` can run it again.',
    'Refuses versions built with --irreversible or baselined, before anything runs.',
    '--yes, -y      roll back without asking: on a terminal it shows what it will undo and asks [y/N];',
    '               without one (CI, scripts) it refuses unless --yes is given (exit 2)',
  ],
  examples: [
    'squizzle rollback',
    'squizzle rollback --to 1.0.0 --dry-run',
    'squizzle rollback --to 1.2.0 --yes --json',
  ],
  options: {
    to: { type: 'string' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  },
  async run(ctx, args) {
    versionArguments(args.positionals, 'rollback', { min: 0, max: 0 })
    const to = args.values['to'] === undefined ? undefined : parseVersion(args.values['to'] as string)
    const dryRun = args.values['dry-run'] === true
    const force = args.values['force'] === true
    if (dryRun && force) {
      throw new SquizzleError('USAGE', '--force records a rollback; --dry-run runs none', { hint: 'Drop one of them.' })
    }
    return withDatabase(ctx, async (driver) => {
      const migrator = await migratorFor(ctx, driver, { storage: 'optional' })
      const r = ctx.reporter
      // With --yes there is nothing to ask, so no plan first: a refusal (an irreversible version, changed
      // rollback SQL) then comes from the real run, which audits it.
      const yes = args.values['yes'] === true
      if (!dryRun && !yes) {
        const plan = await migrator.rollback({ to, dryRun: true })
        const where = driver.displayUrl ?? driver.name
        if (!(await confirmRollback(ctx, plan, where, { to, force, yes }))) return exitCodes.failure
      }
      // An incomplete rollback's differences are listed one per line, with their properties, before the error.
      const result = await migrator.rollback({ to, dryRun, force }).catch((err: unknown) => {
        if (hasErrorCode(err, 'ROLLBACK_INCOMPLETE')) printDetailedDifferences(r, err.details?.['differences'])
        throw err
      })
      if (dryRun) {
        if (result.versions.length === 0)
          r.line(`Nothing to roll back: the database is at ${result.current ?? '(none)'}.`)
        printSqlLayout(r, result.versions)
      } else if (result.rolledBack.length === 0) {
        r.line(`Nothing to roll back: the database is at ${result.current ?? '(none)'}, not above ${to}.`)
      } else {
        printOutcome(r, result)
      }
      const { rolledBack, current, checks, versions } = result
      r.json({ dryRun: result.dryRun, rolledBack, current, checks, versions }, !dryRun)
      return 0
    })
  },
}

/** Shows what the rollback will undo and asks (nothing to undo: nothing to ask). */
async function confirmRollback(
  ctx: CommandContext,
  plan: RollbackResult,
  where: string,
  options: ConfirmOptions,
): Promise<boolean> {
  if (plan.versions.length === 0) return true
  const files = plan.versions.reduce((n, v) => n + v.segments.reduce((m, s) => m + s.files.length, 0), 0)
  const versions = plan.versions.map((v) => v.version)
  const lines = [
    `This rolls back ${versions.join(', ')} on ${where} (now at ${plan.current ?? '(none)'}), newest first,`,
    `running ${files} rollback file${files === 1 ? '' : 's'};` +
      ` afterwards the database is at ${options.to ?? 'the version below'}.`,
    ...(options.force ? ['With --force it is recorded even if the schema afterwards differs (audited).'] : []),
    'What those versions created, data included, is dropped.',
  ]
  return confirmed(ctx.io, ctx.reporter, options.yes, { action: 'rollback', lines })
}

interface ConfirmOptions {
  to: string | undefined
  force: boolean
  yes: boolean
}

function printOutcome(r: Reporter, result: RollbackResult): void {
  const c = r.colors
  for (const check of result.checks) {
    const version = check.version
    if (check.outcome === 'matched') r.line(`  ${c.green('✓')} ${version}: the schema matches ${returnedTo(check)}`)
    else if (check.outcome === 'forced') {
      r.line(`  ${c.yellow('!')} ${version}: recorded with --force; the schema differs from ${returnedTo(check)}:`)
      printDetailedDifferences(r, check.differences, '      ')
    } else r.line(`  ${c.yellow('?')} ${version}: schema not checked (${check.reason ?? 'nothing to compare with'})`)
  }
  const rolledBack = `Rolled back ${result.rolledBack.join(', ')}`
  if (result.checks.every((ch) => ch.outcome === 'matched')) {
    r.line(c.green(`${rolledBack}; the database is now at ${result.current ?? '(no version)'}.`))
  } else {
    const unconfirmed = 'but the schema was not confirmed (see above; `squizzle drift` compares it)'
    r.line(c.yellow(`${rolledBack}; history now says ${result.current ?? '(no version)'}, ${unconfirmed}.`))
  }
}

function returnedTo(check: RollbackCheck): string {
  return check.against === null ? 'the one from before it' : `that of ${check.against}`
}
