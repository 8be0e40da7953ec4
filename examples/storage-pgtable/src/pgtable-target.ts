import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import postgres, { type Sql, type TransactionSql } from 'postgres'
import { isSquizzleError, SquizzleError, type ContentTarget } from '@squizzle/core'
import { chunked } from './chunked.js'
import { createTables, isMissingStore } from './store-tables.js'

/** An OCI content descriptor, as the ContentTarget methods take it. */
type Descriptor = Parameters<ContentTarget['fetch']>[0]

/** Options of a {@link PgTableTarget}. */
export interface PgTableOptions {
  /** `postgres://user:password@host:port/database`: the database that holds the store. */
  url: string
  /** The schema of the store's tables (created on the first push). Default `squizzle_store`. */
  schema?: string
  /** Bytes per stored chunk, which bounds the memory a push or fetch uses. Default 1 MiB. */
  chunkBytes?: number
}

// What `resolve` answers for a digest: manifests and indexes, never a plain blob (as in an OCI layout).
const manifestTypes = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json']
// OCI's tag grammar, so a version stored here can be copied to any registry.
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/

/**
 * A content-addressable store with tags in three PostgreSQL tables: Squizzle's
 * `ContentTarget`. Core builds everything else on top of it (versions as tags, the
 * bundle as an OCI artifact, attachments through the referrers tag, immutability,
 * digest checks). Each blob is written in one transaction, hashed as it streams in and
 * committed only when it matches its descriptor (`verifiesPushes`). Calls may run
 * concurrently, from any number of processes. Versions are never deleted: `delete` is
 * left out, so core refuses a deletion with `STORAGE_UNSUPPORTED`.
 *
 * @example
 * ```ts
 * import { createTargetStorage } from '@squizzle/core'
 *
 * const target = new PgTableTarget({ url: process.env.RELEASES_URL!, schema: 'releases' })
 * const storage = createTargetStorage(target)
 * await storage.push({ manifest, bundle })
 * await target.close()
 * ```
 */
export class PgTableTarget implements ContentTarget {
  readonly name: string
  readonly verifiesPushes = true
  private readonly sql: Sql
  private readonly schema: string
  private readonly chunkBytes: number
  private created: Promise<void> | undefined

  constructor(options: PgTableOptions) {
    this.schema = options.schema ?? 'squizzle_store'
    this.chunkBytes = options.chunkBytes ?? 1024 * 1024
    this.name = displayName(options.url, this.schema)
    this.sql = postgres(options.url, { max: 4, onnotice: () => {}, connect_timeout: 10 })
  }

  /** Streams the blob's chunks in order; `VERSION_NOT_FOUND` when it is not stored. The caller checks the digest. */
  async fetch(desc: Descriptor): Promise<Readable> {
    if (!(await this.exists(desc))) throw notFound(`${desc.digest} is not in ${this.name}`)
    return Readable.from(this.chunksOf(desc.digest), { objectMode: false })
  }

  /**
   * Stores the content under its digest, verified as it streams; nothing is visible unless
   * it matched (`DIGEST_MISMATCH` otherwise). Content stored already is a no-op.
   */
  async push(desc: Descriptor, content: Readable | Uint8Array): Promise<void> {
    try {
      assertDigest(desc.digest)
      await this.ensureTables()
      await this.guard('push', () => this.sql.begin((tx) => this.insertBlob(tx, desc, content)))
    } finally {
      // Whatever happened, nothing reads the caller's stream any more: release its file handle or socket.
      if (!(content instanceof Uint8Array)) content.destroy()
    }
  }

  /** True when a blob or manifest with this digest is stored. */
  async exists(desc: Descriptor): Promise<boolean> {
    const rows = await this.guard(
      'exists',
      () => this.sql`SELECT 1 FROM ${this.table('blobs')} WHERE digest = ${desc.digest}`,
      () => [],
    )
    return rows.length > 0
  }

  /** A tag, or the digest of a stored manifest or index, as its descriptor; `VERSION_NOT_FOUND` otherwise. */
  async resolve(reference: string): Promise<Descriptor> {
    const blobs = this.table('blobs')
    const rows = await this.guard(
      'resolve',
      () =>
        reference.includes(':')
          ? this.sql`SELECT * FROM ${blobs} WHERE digest = ${reference} AND media_type IN ${this.sql(manifestTypes)}`
          : this.sql`SELECT b.* FROM ${this.table('tags')} t JOIN ${blobs} b USING (digest) WHERE t.tag = ${reference}`,
      () => [],
    )
    const row = rows[0]
    if (!row) throw notFound(`${reference} is not in ${this.name}`)
    const artifactType = row['artifact_type'] as string | null
    return {
      mediaType: row['media_type'] as string,
      digest: row['digest'] as string,
      size: Number(row['size']),
      ...(artifactType ? { artifactType } : {}),
    }
  }

  /** Points the tag at a stored manifest, moving it if it existed; `STORAGE_ERROR` when the manifest is not stored. */
  async tag(desc: Descriptor, reference: string): Promise<void> {
    if (!tagPattern.test(reference)) {
      throw new SquizzleError('USAGE', `${JSON.stringify(reference.slice(0, 140))} is not a valid OCI tag`, {
        hint: 'Tags are 1-128 letters, digits, "_", "." and "-".',
      })
    }
    await this.ensureTables()
    const rows = await this.guard(
      'tag',
      () => this.sql`
      INSERT INTO ${this.table('tags')} (tag, digest)
      SELECT ${reference}, digest FROM ${this.table('blobs')}
      WHERE digest = ${desc.digest} AND media_type IN ${this.sql(manifestTypes)}
      ON CONFLICT (tag) DO UPDATE SET digest = excluded.digest, tagged_at = now()
      RETURNING tag`,
    )
    if (rows.length === 0) {
      throw new SquizzleError(
        'STORAGE_ERROR',
        `cannot tag ${reference}: manifest ${desc.digest} is not in ${this.name}`,
        { hint: 'Push the manifest (after its blobs) before tagging it.' },
      )
    }
  }

  /** Every tag, in name order; none before the first push. */
  async *tags(): AsyncGenerator<string> {
    const rows = await this.guard(
      'list tags',
      () => this.sql`SELECT tag FROM ${this.table('tags')} ORDER BY tag`,
      () => [],
    )
    for (const row of rows) yield row['tag'] as string
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 })
  }

  private async insertBlob(tx: TransactionSql, desc: Descriptor, content: Readable | Uint8Array): Promise<void> {
    const blobs = this.table('blobs')
    const inserted = await tx`
      INSERT INTO ${blobs} (digest, media_type, artifact_type, size)
      VALUES (${desc.digest}, ${desc.mediaType}, ${desc.artifactType ?? null}, ${desc.size})
      ON CONFLICT (digest) DO NOTHING RETURNING digest`
    if (inserted.length === 0) return // stored already (perhaps by a concurrent push, which we waited for)
    const hash = createHash('sha256')
    let size = 0
    let seq = 0
    for await (const piece of chunked(content, this.chunkBytes)) {
      size += piece.byteLength
      if (size > desc.size) throw mismatch(desc, `more than the ${desc.size} bytes its descriptor says`)
      hash.update(piece)
      await tx`INSERT INTO ${this.table('chunks')} (digest, seq, data) VALUES (${desc.digest}, ${seq++}, ${piece})`
    }
    const digest = `sha256:${hash.digest('hex')}`
    if (size !== desc.size || digest !== desc.digest) throw mismatch(desc, `${size} bytes with digest ${digest}`)
  }

  private async *chunksOf(digest: string): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const rows = await this.guard(
        'fetch',
        () => this.sql`SELECT data FROM ${this.table('chunks')} WHERE digest = ${digest} AND seq = ${seq}`,
        () => [],
      )
      if (!rows[0]) return
      yield rows[0]['data'] as Buffer
    }
  }

  private ensureTables(): Promise<void> {
    this.created ??= this.guard('create its tables', () => createTables(this.sql, this.schema)).catch(
      (err: unknown) => {
        this.created = undefined // a later call tries again (the database may have been down)
        throw err
      },
    )
    return this.created
  }

  private table(name: 'blobs' | 'chunks' | 'tags') {
    return this.sql(`${this.schema}.${name}`)
  }

  /**
   * Runs a query; a store whose tables do not exist yet reads as empty (`whenMissing`),
   * and any database failure becomes `STORAGE_ERROR` naming the store (never its password).
   */
  private async guard<T, F = never>(what: string, run: () => Promise<T>, whenMissing?: () => F): Promise<T | F> {
    try {
      return await run()
    } catch (err) {
      if (isSquizzleError(err)) throw err
      if (whenMissing && isMissingStore(err)) return whenMissing()
      const why = err instanceof Error ? err.message : String(err)
      throw new SquizzleError('STORAGE_ERROR', `${this.name}: ${what} failed: ${why}`, {
        hint: "Check that the database is reachable and the user may create and write the store's schema.",
        cause: err,
      })
    }
  }
}

function assertDigest(digest: string): void {
  if (/^sha256:[0-9a-f]{64}$/.test(digest)) return
  throw new SquizzleError('DIGEST_MISMATCH', `${JSON.stringify(digest.slice(0, 80))} is not a sha256 digest`, {
    hint: 'Only sha256 content is stored.',
  })
}

function mismatch(desc: Descriptor, got: string): SquizzleError {
  return new SquizzleError('DIGEST_MISMATCH', `content for ${desc.digest} is ${got}: refused, nothing stored`, {
    hint: 'The bytes changed on the way; push again from a verified source.',
    details: { expected: desc.digest, size: desc.size },
  })
}

function notFound(message: string): SquizzleError {
  return new SquizzleError('VERSION_NOT_FOUND', message, {
    hint: 'Check the version or digest: the store holds no such content.',
  })
}

/** `pgtable://user@host:port/db?schema=…`: where the store is, without the password. */
function displayName(url: string, schema: string): string {
  try {
    const { username, host, pathname } = new URL(url)
    return `pgtable://${username ? `${username}@` : ''}${host}${pathname}?schema=${schema}`
  } catch {
    return `pgtable:?schema=${schema}`
  }
}
