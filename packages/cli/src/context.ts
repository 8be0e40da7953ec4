import { access } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import {
  connectWithRetry,
  createTargetStorage,
  defaultLedgerPath,
  readThroughCache,
  SquizzleError,
  type ArtifactStorage,
  type ContentTarget,
  type DatabaseDriver,
  type SourceFolders,
} from '@squizzle/core'
import type { PluginUse } from '@squizzle/core'
import { resolveEnvironment, type ConfigSettings } from '@squizzle/core/config'
import { connectionSecrets, PostgresDriver } from '@squizzle/driver-postgres'
import { parseDuration, type GlobalFlags } from './args.js'
import { loadConfig, type LoadedConfig } from './config/load-config.js'
import type { Io, Reporter } from './output/reporter.js'
import { shownPath } from './output/shown-path.js'
import { PluginHost } from './plugins/plugin-host.js'
import { preparePluginStorage } from './plugins/plugin-storage.js'
import { builtinSchemes, schemeOf } from './plugins/plugin-schemes.js'
import type { TransferValues } from './registry-transfer.js'
import { prepareStorage, type StorageUse } from './storage-presence.js'
import { openStorage, parseStorageUrl, type StorageAccess } from './storage-url.js'

/** A storage with the content target under it (what push, pull and the read-through cache need). */
type OpenedStorage = ArtifactStorage & { readonly target: ContentTarget }
/** Any storage a command can use: a plugin's may be an `ArtifactStorage` without a content target. */
type AnyStorage = ArtifactStorage & { readonly target?: ContentTarget }
/** A connected driver; the built-in one also says where it is connected, without the password. */
type ConnectedDriver = DatabaseDriver & { readonly displayUrl?: string }

export const defaultStorageUrl = 'file:.squizzle/artifacts'
export const defaultPaths = { migrations: 'db/migrations', rollback: 'db/rollback', seed: 'db/seed' } as const
/** A deploy job may start a few seconds before its database accepts connections. */
export const defaultConnectTimeoutMs = 30_000

/**
 * Everything a command needs, resolved once: flags over environment over config over defaults.
 *
 * @example
 * ```ts
 * const ctx = await CommandContext.create(io, parsed.globals, reporterRef)
 * const storage = await ctx.openStorage()
 * ```
 */
export class CommandContext {
  private storage: AnyStorage | undefined
  private readonly secrets: string[] = []
  /** The plugins the config names, loaded on first need. */
  readonly plugins: PluginHost

  private constructor(
    readonly io: Io,
    readonly flags: GlobalFlags,
    readonly loaded: LoadedConfig,
    readonly settings: ConfigSettings,
    private readonly reporterRef: { current?: Reporter },
  ) {
    this.plugins = new PluginHost({
      root: loaded.root,
      env: io.env,
      databaseUrl: () => this.databaseUrlOrNull(),
      addSecrets: (values) => this.addSecrets(values),
    })
    // An invalid URL is reported when a command needs the database; its likely secrets are hidden already.
    for (const url of [this.databaseUrlOrNull(), io.env['SQUIZZLE_DEV_URL'] ?? settings.snapshot?.devUrl]) {
      if (url) this.addSecrets(connectionSecrets(url))
    }
    // postgres.js, like libpq, falls back to PGPASSWORD when the URL has no password.
    if (io.env['PGPASSWORD']) this.addSecrets([io.env['PGPASSWORD']])
    const registryPassword = io.env['SQUIZZLE_REGISTRY_PASSWORD']
    if (registryPassword)
      this.addSecrets([
        registryPassword,
        Buffer.from(`${io.env['SQUIZZLE_REGISTRY_USERNAME'] ?? ''}:${registryPassword}`).toString('base64'),
      ])
  }

  static async create(io: Io, flags: GlobalFlags, reporterRef: { current?: Reporter }): Promise<CommandContext> {
    const loaded = await loadConfig(io.cwd, flags.config ?? io.env['SQUIZZLE_CONFIG'])
    const settings = resolveEnvironment(loaded.config, flags.env ?? io.env['SQUIZZLE_ENV'])
    const ctx = new CommandContext(io, flags, loaded, settings, reporterRef)
    ctx.lockTimeoutMs() // a bad --lock-timeout is a usage error before anything is read or connected
    return ctx
  }

  get reporter(): Reporter {
    if (!this.reporterRef.current) throw new Error('reporter not ready')
    return this.reporterRef.current
  }

  /** Values never to print. */
  secretValues(): string[] {
    return this.secrets
  }

  /** Adds the password of a URL a command received (e.g. `--dev-url`) to the values never printed. */
  registerUrlSecrets(url: string): void {
    this.addSecrets(connectionSecrets(url))
  }

  /** Registers a secret (a passphrase, a token) read by a command, so the reporter never prints it. */
  addSecret(value: string): void {
    this.addSecrets([value])
  }

  /** Adds values never to print (registry passwords and tokens found while running). */
  addSecrets(values: string[]): void {
    for (const value of values) if (value && !this.secrets.includes(value)) this.secrets.push(value)
  }

  get root(): string {
    return this.loaded.root
  }

  /** The storage: `--storage`, else SQUIZZLE_STORAGE, else the config's `storage` (URL or plugin), else the default. */
  storageChoice(): string | PluginUse {
    return this.flags.storage ?? this.io.env['SQUIZZLE_STORAGE'] ?? this.settings.storage ?? defaultStorageUrl
  }

  /** The storage URL, or null when the config names a storage plugin instead. */
  storageUrl(): string | null {
    const choice = this.storageChoice()
    return typeof choice === 'string' ? choice : null
  }

  /**
   * The storage commands read and write. A registry is read through the local
   * layout when one exists (what `squizzle pull` fills): content whose digest is
   * there is read locally, tags always come from the registry. When `required` (the
   * default) it must exist: a mistyped --storage is `STORAGE_NOT_FOUND`, never an
   * empty storage; `create` (build) creates a missing local layout; `optional`
   * (rollback, repair) accepts a missing one.
   */
  async openStorage(use: StorageUse = 'required'): Promise<AnyStorage> {
    this.storage ??= await this.openMainStorage(use)
    return this.storage
  }

  /** The local OCI layout `push` reads from and `pull` writes to: the configured `file:` storage, else the default. */
  localLayoutUrl(): string {
    const configured = this.io.env['SQUIZZLE_STORAGE'] ?? this.settings.storage
    return typeof configured === 'string' && configured.startsWith('file:') ? configured : defaultStorageUrl
  }

  private async openMainStorage(use: StorageUse): Promise<AnyStorage> {
    const url = this.storageChoice()
    if (typeof url !== 'string') return preparePluginStorage(await this.plugins.storage(url, 'storage'), use)
    if (!isBuiltinUrl(url)) return this.openStorageUrl(url, use)
    const storage = await this.openStorageAt(url, use)
    if (!url.startsWith('oci://')) return storage
    const local = parseStorageUrl(this.localLayoutUrl(), this.root)
    // Only an existing layout serves as a cache: reading must never create one.
    const hasLayout =
      local.scheme === 'file' &&
      (await access(join(local.path, 'oci-layout')).then(
        () => true,
        () => false,
      ))
    if (!hasLayout) return storage
    return createTargetStorage(readThroughCache(storage.target, (await openStorage(local)).target))
  }

  /**
   * Opens any storage URL with this invocation's registry credentials, `--plain-http`, and retry
   * settings (`transfer`: a command's `--retries`/`--timeout`/`--retry-budget`, over `SQUIZZLE_REGISTRY_*`),
   * refusing one the command cannot use and creating a missing layout for `create` (see {@link prepareStorage}).
   */
  async openStorageAt(
    url: string,
    use: StorageUse = 'required',
    transfer: TransferValues = {},
  ): Promise<OpenedStorage> {
    const location = parseStorageUrl(url, this.root, { plainHttp: this.flags.plainHttp })
    const storage = await openStorage(location, location.scheme === 'oci' ? await this.registryAccess(transfer) : {})
    await prepareStorage(location, storage.target, use)
    return storage
  }

  /**
   * Opens any storage URL: a built-in one (see {@link openStorageAt}), or one of a scheme a
   * plugin of the config's `plugins` registers, whose storage need not have a content target.
   */
  async openStorageUrl(url: string, use: StorageUse = 'required'): Promise<AnyStorage> {
    if (isBuiltinUrl(url)) return this.openStorageAt(url, use)
    const storage = await this.plugins.storageForUrl(url, this.settings.plugins ?? [])
    // No plugin registers the scheme: the built-in parser refuses the URL and says what is understood.
    return storage ? preparePluginStorage(storage, use) : this.openStorageAt(url, use)
  }

  /** Runs the cleanup of every plugin loaded (closing their pools and sockets). */
  async close(): Promise<void> {
    await this.plugins.close()
  }

  /** Credentials and retry settings for a registry (loaded only then: most runs use a local layout). */
  private async registryAccess(transfer: TransferValues): Promise<StorageAccess> {
    const [{ registryCredentials }, { registryRetry }] = await Promise.all([
      import('./registry-credentials.js'),
      import('./registry-transfer.js'),
    ])
    const credentials = registryCredentials(this.io.env, (secrets) => this.addSecrets(secrets))
    return { credentials, retry: registryRetry(this.io.env, transfer) }
  }

  sourceFolders(): SourceFolders {
    const paths = { ...defaultPaths, ...this.settings.paths }
    const at = (p: string | undefined) => (p === undefined ? undefined : resolve(this.root, p))
    return {
      drizzle: at(paths.drizzle),
      migrations: at(paths.migrations),
      seed: at(paths.seed),
      rollback: at(paths.rollback),
    }
  }

  /** The release ledger file: `ledger` in the config (relative to it), else db/squizzle.sum. */
  ledgerPath(): string {
    return resolve(this.root, this.settings.ledger ?? defaultLedgerPath)
  }

  /** A path as the user sees it: relative to the working directory when inside it. */
  displayPath(path: string): string {
    return shownPath(this.io.cwd, path)
  }

  /**
   * Schema-per-tenant: the tenant schema single-target commands migrate (--schema, else
   * database.schema), or undefined for the database as a whole.
   */
  tenantSchema(): string | undefined {
    return this.flags.schema ?? this.settings.database?.schema
  }

  databaseUrlOrNull(): string | null {
    return this.flags.databaseUrl ?? this.io.env['DATABASE_URL'] ?? this.settings.database?.url ?? null
  }

  /** True when a command can reach a database: a database URL, or a driver plugin (which may bring its own). */
  hasDatabase(): boolean {
    // An empty DATABASE_URL (set but blank in a CI file) means none, as before drivers were choosable.
    return this.settings.driver !== undefined || Boolean(this.databaseUrlOrNull())
  }

  /**
   * A connected driver: the `driver` plugin of the config, else the built-in PostgreSQL driver.
   * The caller closes it. Usage error when the built-in driver has no database URL.
   */
  async connectDatabase(): Promise<ConnectedDriver> {
    if (this.settings.driver && this.tenantSchema() !== undefined) throw tenantWithPlugin()
    const driver = this.settings.driver ? await this.plugins.driver(this.settings.driver) : this.postgresDriver()
    await connectWithRetry(driver, { timeoutMs: this.connectTimeoutMs(), events: this.reporter.onEvent })
    return driver
  }

  private postgresDriver(): PostgresDriver {
    const url = this.databaseUrlOrNull()
    if (!url) {
      throw new SquizzleError('USAGE', 'no database configured', {
        hint: 'Set DATABASE_URL, pass --database-url, or set database.url in squizzle.config.yaml.',
      })
    }
    const schema = this.tenantSchema()
    return new PostgresDriver({
      url,
      ...(schema === undefined ? {} : { schema }),
      ...(this.settings.database?.applicationName ? { applicationName: this.settings.database.applicationName } : {}),
      onNotice: (n) => {
        if (this.flags.verbose)
          this.reporter.line(this.reporter.colors.dim(`  ${n.severity.toLowerCase()}: ${n.message}`))
      },
    })
  }

  /**
   * The width tables fit: COLUMNS when set, else the terminal's; unlimited when stdout
   * is not a terminal (a file or a pipe keeps every character; --json has them all anyway).
   */
  outputWidth(): number {
    const columns = Number(this.io.env['COLUMNS'])
    if (Number.isInteger(columns) && columns > 0) return columns
    return this.io.isTTY && this.io.columns ? this.io.columns : Number.POSITIVE_INFINITY
  }

  /**
   * How long connecting retries while the database is not up yet: --connect-timeout, else
   * SQUIZZLE_CONNECT_TIMEOUT, else database.connectTimeout, else 30 s; 0 tries once.
   */
  connectTimeoutMs(): number {
    const flag = this.flags.connectTimeout ?? this.io.env['SQUIZZLE_CONNECT_TIMEOUT']
    if (flag !== undefined) return parseDuration(flag, '--connect-timeout')
    const configured = this.settings.database?.connectTimeout
    if (typeof configured === 'number') return configured
    return configured === undefined ? defaultConnectTimeoutMs : parseDuration(configured, 'database.connectTimeout')
  }

  lockTimeoutMs(): number {
    const flag = this.flags.lockTimeout ?? this.io.env['SQUIZZLE_LOCK_TIMEOUT']
    if (flag !== undefined) return parseDuration(flag, '--lock-timeout')
    return this.settings.lockTimeoutMs ?? 60_000
  }
}

/** `file:` and `oci://` URLs, and text without a scheme (which the built-in parser refuses). */
function isBuiltinUrl(url: string): boolean {
  const scheme = schemeOf(url)
  return scheme === null || builtinSchemes.includes(scheme)
}

/** A tenant schema is the built-in driver's: a plugin would silently migrate something else. */
function tenantWithPlugin(): SquizzleError {
  return new SquizzleError(
    'USAGE',
    'a tenant schema (--schema, database.schema) needs the built-in PostgreSQL driver',
    {
      hint: 'Drop --schema (and database.schema), or drop driver from the environment to use the built-in driver.',
    },
  )
}
