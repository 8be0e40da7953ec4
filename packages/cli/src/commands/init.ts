import { access, mkdir, writeFile } from 'node:fs/promises'
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
    const created: string[] = []
    const existed = await access(ctx.loaded.file ?? file).then(() => true, () => false)
    if (!existed || args.values['force'] === true) {
      await writeFile(file, configTemplate)
      created.push(relative(ctx.io.cwd, file) || file)
    }
    for (const folder of Object.values(defaultPaths)) {
      const path = join(root, folder)
      if (!(await access(path).then(() => true, () => false))) {
        await mkdir(path, { recursive: true })
        created.push(`${relative(ctx.io.cwd, path) || path}/`)
      }
    }
    const layout = await createLayout(ctx, root)
    if (layout) created.push(`${relative(ctx.io.cwd, layout) || layout}/`)
    let systemSchema = false
    if (ctx.hasDatabase()) {
      await withDatabase(ctx, async (driver) => {
        const lock = await driver.lock({ timeoutMs: ctx.lockTimeoutMs() })
        try {
          await driver.records.ensureSchema()
        } finally {
          await lock.release()
        }
      })
      systemSchema = true
    }
    for (const path of created) ctx.reporter.line(`${ctx.reporter.colors.green('created')} ${path}`)
    if (existed && args.values['force'] !== true) ctx.reporter.line(`kept existing ${relative(ctx.io.cwd, ctx.loaded.file ?? file)}`)
    if (systemSchema) ctx.reporter.line(`${ctx.reporter.colors.green('ready')} system schema "squizzle" in the database`)
    ctx.reporter.line('Next: add db/migrations/001_init.sql, then `squizzle build 0.1.0` and `squizzle apply`.')
    ctx.reporter.line('Commit db/ including squizzle.sum (the release ledger build writes); .squizzle/ is local.')
    ctx.reporter.json({ created, systemSchema })
    return 0
  },
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
