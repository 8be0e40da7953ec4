import { compareBundleFiles } from '../bundle/file-order.js'
import { writeBundle } from '../bundle/bundle-writer.js'
import { SquizzleError } from '../errors/squizzle-error.js'
import { computeChecksum } from '../manifest/checksum.js'
import { fileKinds, type FileKind, type Manifest, type ManifestFile } from '../manifest/manifest.js'
import { validateManifest } from '../manifest/validate-manifest.js'
import { sha256Digest } from '../oci/digest.js'
import { hasNoTransactionDirective } from '../sql/analyze-sql.js'

/** Optional manifest fields of a test version. */
export interface TestVersionOptions {
  previousVersion?: string | null
  /** The previous version's image-manifest digest; omitted (a bundle from before the chain) unless given. */
  previousDigest?: string | null
  /** RFC 3339; default `2024-01-01T00:00:00.000Z` so bundles are reproducible. */
  created?: string
  notes?: string
}

/** A valid manifest and the bundle bytes it describes. */
export interface TestVersion {
  manifest: Manifest
  bundle: Uint8Array
}

const defaultFiles = { 'migrations/001_init.sql': 'CREATE TABLE t (id int);\n' }

/**
 * Builds a small, valid version in memory the same way `squizzle build` does
 * (run order, per-file SHA-256, the one checksum formula, a reproducible bundle),
 * for storage and engine tests. Keys of `files` are bundle paths (`<kind>/<name>.sql`).
 *
 * @example
 * ```ts
 * const { manifest, bundle } = await makeTestVersion('1.0.0', {
 *   'migrations/001_users.sql': 'CREATE TABLE users (id int);',
 *   'rollback/001_users.sql': 'DROP TABLE users;',
 * })
 * await storage.push({ manifest, bundle })
 * ```
 */
export async function makeTestVersion(
  version: string,
  files: Record<string, string> = defaultFiles,
  options: TestVersionOptions = {},
): Promise<TestVersion> {
  const entries = Object.entries(files)
    .map(([path, sql]) => ({ path, kind: kindOf(path), bytes: Buffer.from(sql, 'utf8') }))
    .sort(compareBundleFiles)
  const listed: ManifestFile[] = entries.map((e) => ({
    path: e.path,
    kind: e.kind,
    size: e.bytes.length,
    sha256: sha256Digest(e.bytes).slice('sha256:'.length),
    // As build decides it: a file with the directive runs outside a transaction.
    transaction: !hasNoTransactionDirective(e.bytes.toString('utf8')),
  }))
  const manifest = validateManifest(
    {
      formatVersion: 1,
      version,
      previousVersion: options.previousVersion ?? null,
      ...(options.previousDigest === undefined ? {} : { previousDigest: options.previousDigest }),
      created: options.created ?? '2024-01-01T00:00:00.000Z',
      ...(options.notes === undefined ? {} : { notes: options.notes }),
      tools: { squizzle: '0.0.0-test' },
      transactionScope: 'version',
      files: listed,
      checksum: computeChecksum(listed),
    },
    `test version ${version}`,
  )
  const chunks: Buffer[] = []
  const stream = writeBundle(
    entries.map((e) => ({ path: e.path, size: e.bytes.length, source: e.bytes })),
    { mtime: 0 },
  )
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk)
  return { manifest, bundle: new Uint8Array(Buffer.concat(chunks)) }
}

function kindOf(path: string): FileKind {
  const kind = fileKinds.find((k) => path.startsWith(`${k}/`))
  if (!kind) {
    throw new SquizzleError('USAGE', `test file ${path} is not under a bundle folder`, {
      hint: `Name test files <kind>/<name>.sql with kind one of ${fileKinds.join(', ')}.`,
    })
  }
  return kind
}
