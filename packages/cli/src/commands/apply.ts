import { versionArguments } from '../args.js'
import type { Command } from './command.js'
import { migratorFor } from './migrator-for.js'
import { printSqlLayout } from './print-sql-layout.js'
import { interruptible } from './interruptible.js'
import { withDatabase } from './with-database.js'

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Apply every pending version (up to <version>), each verified, once, under the lock',
  usage: 'squizzle apply [version[@sha256:…]] [--dry-run] [--allow-out-of-order] [--allow-unchained]',
  details: [
    '[version]             stop at this version (default: the latest stored)',
    '@sha256:…             pin it: run only if the version resolves to exactly this digest (the one verified',
    '                      elsewhere, e.g. on staging); otherwise exit 3 (PINNED_DIGEST_MISMATCH), nothing run',
    '--dry-run             print the plan and the SQL, change nothing ' +
      '(--json: versions, files, statements, transactions)',
    '--allow-out-of-order  apply never-applied versions older than the current one (their chain is not checked)',
    "--allow-unchained     apply a version not built on the database's current version (audited as overridden)",
    "Each version must have been built on what the database has: its previous version and that version's digest",
    "(recorded in the manifest by build) must be the database's current version and the digest it applied. Otherwise",
    'apply refuses before running anything (exit 3, UNCHAINED_VERSION), naming both.',
    '--lock-timeout 2m     how long to wait for another apply (exit 5 when it runs out)',
    'Already applied: a no-op that says so, exit 0.',
    'Ctrl-C stops at the next safe point (the statement running is cancelled, an open transaction rolls back)',
    'and says what the database holds, exit 130; apply again resumes. A second Ctrl-C quits at once.',
  ],
  examples: [
    'squizzle apply',
    'squizzle apply 1.2.0 --dry-run',
    'DATABASE_URL=postgres://… squizzle apply --json',
    'squizzle apply 1.7.0 --allow-unchained',
    'squizzle apply 1.7.0@sha256:4f1c…   # the digest staging applied (squizzle status --json | jq .applied)',
  ],
  options: {
    'dry-run': { type: 'boolean' },
    'allow-out-of-order': { type: 'boolean' },
    'allow-unchained': { type: 'boolean' },
  },
  async run(ctx, args) {
    const [target] = versionArguments(args.positionals, 'apply', { min: 0, max: 1 }, { pinned: true })
    const allowOutOfOrder = args.values['allow-out-of-order'] === true ? true : undefined
    const allowUnchained = args.values['allow-unchained'] === true
    return withDatabase(ctx, async (driver) => {
      const migrator = await migratorFor(ctx, driver, {
        allowUnchained,
        ...(allowOutOfOrder ? { allowOutOfOrder } : {}),
      })
      const r = ctx.reporter
      if (args.values['dry-run'] === true) {
        const { plan, versions } = await migrator.dryRun(target)
        if (versions.length === 0) r.line(`Nothing to apply: the database is at ${plan.current ?? '(none)'}.`)
        printSqlLayout(r, versions)
        r.json({ dryRun: true, current: plan.current, target: plan.target, versions })
        return 0
      }
      const result = await interruptible(ctx, (signal) => migrator.apply(target, { signal }))
      if (result.alreadyCurrent) r.line(`Already up to date at ${result.current ?? '(no versions)'}: nothing to apply.`)
      else r.line(r.colors.green(`Database is now at ${result.current}.`))
      r.json({ applied: result.applied, current: result.current, alreadyCurrent: result.alreadyCurrent }, true)
      return 0
    })
  },
}
