import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { compareVersions, offlineVersions, parseVersion, SquizzleError } from '@squizzle/core'
import { renderOfflineScript, systemSchemaFiles } from '@squizzle/driver-postgres'
import { trustPolicyFor } from '../security/trust-policy.js'
import { toolVersion } from '../tool-version.js'
import type { Command } from './command.js'

export const sqlCommand: Command = {
  name: 'sql',
  summary: 'Render the SQL that takes a database from <from> to <to> as one script to review and run with psql',
  usage: 'squizzle sql [<from>] <to> [--out FILE]',
  details: [
    '<from>       the version the database is at; 0 or none (the default) for a database with no version',
    '<to>         the version it ends at',
    '--out FILE   write the script to FILE, byte for byte (on stdout, control characters are shown escaped)',
    'Needs no database: the versions are read from storage, and every byte is verified (as apply verifies it)',
    'before anything is rendered. The script does what apply does: it takes the migration lock, creates or updates',
    'the system schema, stops (changing nothing) unless the database is at <from>, then runs each version in the',
    'transactions apply uses, with the rows apply writes (history, applied, progress, kept rollback SQL, audit).',
    'Run it with: psql -v ON_ERROR_STOP=1 -f FILE "$DATABASE_URL"; with -1 it runs the same, though not as one',
    'transaction (each version commits on its own, as CREATE INDEX CONCURRENTLY needs). Afterwards status and',
    'drift agree, and apply continues from <to>. The rollback of a first version goes unchecked (apply keeps',
    'the schema from before it, which a script cannot read).',
  ],
  examples: ['squizzle sql 1.0.0 1.2.0 --out upgrade.sql', 'squizzle sql 1.0.0', 'squizzle sql none 1.0.0 | less'],
  options: { out: { type: 'string' } },
  async run(ctx, args) {
    const { from, to } = range(args.positionals)
    if (ctx.tenantSchema() !== undefined) {
      throw new SquizzleError('USAGE', 'sql renders scripts for the database as a whole, not for a tenant schema', {
        hint:
          'Apply tenants with squizzle apply --schema NAME (or fleet apply); ' +
          'drop --schema and database.schema here.',
      })
    }
    const policy = await trustPolicyFor(ctx)
    const storage = await ctx.openStorage()
    const selected = await offlineVersions({ storage, from, to, policy, limits: ctx.settings.limits })
    const systemFiles = await systemSchemaFiles()
    const source = storage.name
    const script = renderOfflineScript({ ...selected, systemFiles, toolVersion, source, renderedAt: new Date() })
    const r = ctx.reporter
    const out = args.values['out'] as string | undefined
    const versions = selected.versions.map((v) => ({ version: v.manifest.version, digest: v.digest }))
    if (out !== undefined) {
      const file = resolve(ctx.io.cwd, out)
      await writeFile(file, script)
      const listed = versions.map((v) => v.version).join(', ')
      r.result(`${r.colors.green('wrote')} ${ctx.displayPath(file)}: ${from ?? '(none)'} → ${to} (${listed})`)
      r.json({ from, to, versions, out: file })
    } else {
      for (const line of script.replace(/\n$/, '').split('\n')) r.result(line)
      r.json({ from, to, versions, script })
    }
    return 0
  },
}

/** `[from] to`, from being a version, `0` or `none`; the target above the start. */
function range(positionals: readonly string[]): { from: string | null; to: string } {
  if (positionals.length < 1 || positionals.length > 2) {
    const hint = 'Example: squizzle sql 1.0.0 1.2.0 --out upgrade.sql'
    throw new SquizzleError('USAGE', 'sql takes [<from>] <to>', { hint })
  }
  const raw = positionals.length === 2 ? positionals[0]! : 'none'
  const from = raw === '0' || raw === 'none' ? null : parseVersion(raw)
  const to = parseVersion(positionals.at(-1)!)
  if (from !== null && compareVersions(from, to) >= 0) {
    throw new SquizzleError('USAGE', `sql renders an upgrade: ${to} is not above ${from}`, {
      hint: 'Name the version the database is at first, then a later one (rollback SQL: squizzle rollback --dry-run).',
    })
  }
  return { from, to }
}
