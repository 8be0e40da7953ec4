import { access, appendFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { OciLayoutTarget } from '@squizzle/storage-filesystem'
import { defaultPaths, defaultStorageUrl, type CommandContext } from '../context.js'
import { prepareStorage } from '../storage-presence.js'
import { parseStorageUrl } from '../storage-url.js'
import { versionArguments } from '../args.js'
import type { Command } from './command.js'
import { withDatabase } from './with-database.js'

const configTemplate = `# yaml-language-server: $schema=./node_modules/@squizzle/cli/config.schema.json
# Squizzle configuration. Flags and environment variables (DATABASE_URL,
# SQUIZZLE_STORAGE, SQUIZZLE_ENV) override what is set here.
storage: ${defaultStorageUrl}
paths:
  migrations: ${defaultPaths.migrations}
  rollback: ${defaultPaths.rollback}
  seed: ${defaultPaths.seed}
# The release ledger: every released version and file, written by build. Commit it.
ledger: db/squizzle.sum
transactionScope: version
lockTimeoutMs: 60000
# environments:
#   production:
#     storage: oci://ghcr.io/acme/db-migrations
#     seeds: false   # db/seed/ files ship in every bundle; here they are verified but never run
`

export const initCommand: Command = {
  name: 'init',
  summary: 'Create squizzle.config.yaml, the SQL folders, the local layout (and the system schema with a database)',
  usage: 'squizzle init [--force]',
  details: [
    '--force   overwrite an existing squizzle.config.yaml',
    'Also creates the empty OCI layout of a file: storage (default .squizzle/artifacts),',
    'which apply and status require.',
  ],
  examples: ['squizzle init', 'DATABASE_URL=postgres://app@localhost/app squizzle init'],
  options: { force: { type: 'boolean' } },
  async run(ctx, args) {
    versionArguments(args.positionals, 'init', { min: 0, max: 0 })
    const root = ctx.loaded.file === null ? ctx.io.cwd : ctx.root
    const file = join(root, 'squizzle.config.yaml')
    const existed = await exists(ctx.loaded.file ?? file)
    const created: string[] = []
    if (!existed || args.values['force'] === true) {
      await writeFile(file, configTemplate)
      created.push(relative(ctx.io.cwd, file) || file)
    }
    created.push(...(await createSourceFolders(ctx, root)))
    const layout = await createLayout(ctx, root)
    if (layout) created.push(`${relative(ctx.io.cwd, layout) || layout}/`)
    const systemSchema = ctx.hasDatabase()
    if (systemSchema) await ensureSystemSchema(ctx)
    const gitignore = await ignoreLocalFolder(root)
    const r = ctx.reporter
    for (const path of created) r.line(`${r.colors.green('created')} ${path}`)
    const ignoreFile = ctx.displayPath(join(root, '.gitignore'))
    if (gitignore !== 'kept') r.line(`${r.colors.green(gitignore)} ${ignoreFile} (ignores .squizzle/)`)
    const kept = relative(ctx.io.cwd, ctx.loaded.file ?? file)
    if (existed && args.values['force'] !== true) r.line(`kept existing ${kept}`)
    if (systemSchema) r.line(`${r.colors.green('ready')} system schema "squizzle" in the database`)
    for (const line of nextSteps(ctx, file)) r.line(line)
    r.json({ created, systemSchema, gitignore })
    return 0
  },
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

/** Creates the default SQL folders that do not exist yet; returns them (relative to the working directory). */
async function createSourceFolders(ctx: CommandContext, root: string): Promise<string[]> {
  const created: string[] = []
  for (const folder of Object.values(defaultPaths)) {
    const path = join(root, folder)
    if (!(await exists(path))) {
      await mkdir(path, { recursive: true })
      created.push(`${relative(ctx.io.cwd, path) || path}/`)
    }
  }
  return created
}

/** Creates (or upgrades) the system schema under the migration lock. */
async function ensureSystemSchema(ctx: CommandContext): Promise<void> {
  await withDatabase(ctx, async (driver) => {
    const lock = await driver.lock({ timeoutMs: ctx.lockTimeoutMs() })
    try {
      await driver.records.ensureSchema()
    } finally {
      await lock.release()
    }
  })
}

/** What to do after init, with the project's own folders, and what belongs in the repository. */
function nextSteps(ctx: CommandContext, configFile: string): string[] {
  const folders = ctx.sourceFolders()
  const shown = (path: string | undefined) => ctx.displayPath(path!)
  const config = ctx.displayPath(ctx.loaded.file ?? configFile)
  const ledger = ctx.displayPath(ctx.ledgerPath())
  // The folders to commit, by their top-level folder (db/ for the defaults), the ledger among them.
  const tops = [folders.migrations, folders.rollback, folders.seed, folders.drizzle, ctx.ledgerPath()]
    .filter((p): p is string => p !== undefined)
    .map((p) => `${ctx.displayPath(p).split('/')[0]}/`)
  const sources = [...new Set(tops)].join(' and ')
  return [
    'Next:',
    `  squizzle new init        creates ${shown(folders.migrations)}/<timestamp>_init.sql` +
      ` and ${shown(folders.rollback)}/<timestamp>_init.sql:`,
    '                           write the change in the first, the SQL that undoes it in the second',
    `  squizzle build 0.1.0     builds and stores version 0.1.0, recording it in ${ledger}`,
    '  squizzle apply           applies it to the database (DATABASE_URL or --database-url)',
    `Commit ${config} and ${sources} (with ${ledger}, the release ledger build writes);`,
    '.squizzle/ (the local layout and caches) stays out of git.',
  ]
}

const ignoreComment = '# Squizzle: the local layout and caches (rebuilt from the registry or by build)'
const ignoredForms = ['.squizzle', '.squizzle/', '/.squizzle', '/.squizzle/']

/**
 * Adds `.squizzle/` (the local layout and caches) to the project's .gitignore, creating
 * the file when there is none; says what it did.
 */
async function ignoreLocalFolder(root: string): Promise<'created' | 'updated' | 'kept'> {
  const path = join(root, '.gitignore')
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    if ((err as { code?: unknown }).code === 'ENOENT') return null
    throw err
  })
  if (text === null) {
    await writeFile(path, `${ignoreComment}\n.squizzle/\n`)
    return 'created'
  }
  const ignored = text.split(/\r?\n/).some((line) => ignoredForms.includes(line.trim()))
  if (ignored) return 'kept'
  await appendFile(path, `${text === '' || text.endsWith('\n') ? '' : '\n'}.squizzle/\n`)
  return 'updated'
}

/** Creates the (empty) OCI layout of a `file:` storage; returns its path when it did. */
async function createLayout(ctx: CommandContext, root: string): Promise<string | null> {
  const url = ctx.storageUrl()
  // A registry or a plugin's storage is created by whoever runs it, on first write.
  if (url === null || !url.startsWith('file:')) return null
  const location = parseStorageUrl(url, root)
  if (location.scheme !== 'file') return null
  const { created } = await prepareStorage(location, new OciLayoutTarget(location.path), 'create')
  return created ? location.path : null
}
