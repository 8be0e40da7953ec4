import { hasErrorCode, type Migrator, type RepairResult } from '@squizzle/core'
import { versionArguments } from '../args.js'
import type { CommandContext } from '../context.js'
import { exitCodes } from '../exit-codes.js'
import { confirmed } from '../output/confirm.js'
import type { Command } from './command.js'
import { migratorFor } from './migrator-for.js'
import { withDatabase } from './with-database.js'

export const repairCommand: Command = {
  name: 'repair',
  summary: 'Resolve failed runs after fixing their cause, so the next apply (or rollback) proceeds (audited)',
  usage: 'squizzle repair [version] [--restart] [--yes]',
  details: [
    '[version]   repair only this version (default: every unresolved failure)',
    'default     keep the recorded progress: the next run retries the statement that failed and goes on',
    '--restart   forget the recorded progress: the next run starts the version from its first file',
    '            (use it after undoing the partial work by hand, or when the artifact was replaced)',
    'A version that ran in one transaction left nothing behind, so both modes rerun it whole.',
    '--yes, -y   with --restart, do not ask: on a terminal --restart lists the runs it forgets and asks [y/N];',
    '            without one (CI, scripts) --restart needs --yes (exit 2)',
    'Nothing to repair: says so, exit 0.',
  ],
  examples: ['squizzle repair', 'squizzle repair 1.3.0 --restart --yes --json'],
  options: { restart: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
  async run(ctx, args) {
    const [version] = versionArguments(args.positionals, 'repair', { min: 0, max: 1 })
    return withDatabase(ctx, async (driver) => {
      const migrator = await migratorFor(ctx, driver, { storage: 'optional' })
      const restart = args.values['restart'] === true
      const yes = args.values['yes'] === true
      if (restart && !(await confirmRestart(ctx, migrator, version, yes))) return exitCodes.failure
      const result = await repairOrNothing(migrator, version, restart ? 'restart' : 'resume')
      const r = ctx.reporter
      const subject = version ? `version ${version} has` : 'there is'
      if (result.repaired.length === 0) r.line(`Nothing to repair: ${subject} no unresolved failed run.`)
      for (const f of result.repaired) {
        const next = result.mode === 'restart' ? 'starts it over' : 'resumes where it stopped'
        r.line(
          `${r.colors.green('✓')} ${f.version}: failed ${f.operation} (${f.code}) resolved; the next ${f.operation} ${next}`,
        )
      }
      r.json({ ...result })
      return 0
    })
  },
}

/** The repair; no unresolved failure is not an error: there is nothing to do, and that is what was wanted. */
async function repairOrNothing(
  migrator: Migrator,
  version: string | undefined,
  mode: RepairResult['mode'],
): Promise<RepairResult> {
  return migrator.repair({ version, mode }).catch((err: unknown) => {
    if (hasErrorCode(err, 'NOTHING_TO_REPAIR')) return { mode, repaired: [] }
    throw err
  })
}

/** Lists the failed runs whose recorded progress `--restart` forgets, and asks. */
async function confirmRestart(
  ctx: CommandContext,
  migrator: Migrator,
  version: string | undefined,
  yes: boolean,
): Promise<boolean> {
  const failed = (await migrator.failedRuns()).filter((f) => version === undefined || f.version === version)
  if (failed.length === 0) return true
  const lines = [
    'repair --restart forgets what these failed runs recorded; the next run starts each version from its first file:',
    ...failed.map((f) => {
      return `  ${f.version}: ${f.operation} failed at ${f.finishedAt.toISOString()} (${f.error?.code ?? 'UNKNOWN'})`
    }),
    'Undo their partial work by hand first, or the next run meets it again.',
  ]
  return confirmed(ctx.io, ctx.reporter, yes, { action: 'repair --restart', lines })
}
