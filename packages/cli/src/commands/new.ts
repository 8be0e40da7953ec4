import { access, mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { SquizzleError } from '@squizzle/core'
import type { CommandContext } from '../context.js'
import type { Command } from './command.js'

export const newCommand: Command = {
  name: 'new',
  summary: 'Create a timestamped migration file and its rollback file, ready to edit',
  usage: 'squizzle new <name> [--no-rollback]',
  details: [
    '<name>          what the migration does (e.g. add_orders); characters other than letters, digits, - and _',
    '                become _',
    'Creates db/migrations/<UTC timestamp>_<name>.sql and db/rollback/<same name>.sql (the folders from `paths`',
    'in the config); the timestamp (YYYYMMDDHHMMSS) keeps files in the order they were written.',
    '--no-rollback   only the migration (for projects with rollback.required: false)',
    'Refuses to overwrite an existing file.',
  ],
  examples: [
    'squizzle new add_orders',
    'squizzle new "backfill emails" --no-rollback',
    'squizzle new add_orders --json',
  ],
  options: { 'no-rollback': { type: 'boolean' } },
  async run(ctx, args) {
    const name = migrationName(args.positionals)
    const fileName = `${timestamp(new Date())}_${name}.sql`
    const folders = ctx.sourceFolders()
    const migration = join(folders.migrations!, fileName)
    const rollback = args.values['no-rollback'] === true ? null : join(folders.rollback!, fileName)
    // Both are checked first: a refused rollback file must not leave its migration behind.
    for (const path of [migration, rollback]) if (path && (await exists(path))) throw fileExists(ctx, path)
    await createFile(ctx, migration, `-- ${name}: the change, in SQL.\n`)
    if (rollback) {
      await createFile(ctx, rollback, `-- Undoes ${ctx.displayPath(migration)}: the SQL that reverses it.\n`)
    }
    const r = ctx.reporter
    for (const path of [migration, rollback]) {
      if (path) r.result(`${r.colors.green('created')} ${ctx.displayPath(path)}`)
    }
    if (!rollback && ctx.settings.rollback?.required !== false) {
      const unless = 'unless rollback.required is false, or --irreversible'
      r.warn(`without a rollback file, build refuses this migration (${unless})`)
    }
    r.json({ migration: ctx.displayPath(migration), rollback: rollback === null ? null : ctx.displayPath(rollback) })
    return 0
  },
}

/** The one name argument, made of the characters a migration path allows. */
function migrationName(positionals: readonly string[]): string {
  if (positionals.length !== 1) {
    throw new SquizzleError('USAGE', 'new takes exactly one name', { hint: 'Example: squizzle new add_orders' })
  }
  const name = positionals[0]!
    .trim()
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
  if (name === '') {
    throw new SquizzleError('USAGE', `"${positionals[0]}" has no letters or digits to name a migration with`, {
      hint: 'Example: squizzle new add_orders',
    })
  }
  return name
}

/** UTC, to the second: `20261202101500`. */
function timestamp(at: Date): string {
  return at.toISOString().replace(/\D/g, '').slice(0, 14)
}

async function createFile(ctx: CommandContext, path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, text, { flag: 'wx' }).catch((err: unknown) => {
    throw (err as { code?: unknown }).code === 'EEXIST' ? fileExists(ctx, path) : err
  })
}

function fileExists(ctx: CommandContext, path: string): SquizzleError {
  return new SquizzleError('USAGE', `${ctx.displayPath(path)} already exists`, {
    hint: 'Pick another name, or wait a second for a new timestamp; existing files are never overwritten.',
    details: { path: ctx.displayPath(path) },
  })
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}
