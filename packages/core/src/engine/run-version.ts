import { streamingBundleFiles, type BundleFile } from '../bundle/bundle-reader.js'
import type { DriverTransaction, KeptFile } from '../driver/database-driver.js'
import type { SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import { applyKinds, type FileKind } from '../manifest/manifest.js'
import type { PulledArtifact } from '../storage/artifact-storage.js'
import { keptSnapshot, schemaBeforePath } from './kept-snapshots.js'
import { contentOf, isStreamedFile } from './run-files.js'
import { fromMemory, runSegments, type VersionRunContext } from './run-segments.js'
import { planSegments } from './segments.js'

export type { VersionRunContext } from './run-segments.js'

/** What apply leaves out of a version (its bytes are still verified). */
export interface RunVersionOptions {
  /** Runnable kinds not to run, e.g. `['seed']` in an environment without seeds; recorded in the history row. */
  skipKinds?: readonly FileKind[]
  /** The first version on a database: the schema before it, kept for its own rollback's check. */
  schemaBefore?: SchemaSnapshot | null
}

/**
 * Applies one verified version: its files run in the segments `planSegments`
 * gives, and what a later rollback needs is kept in the database in the same
 * transaction as the success row, so it needs no storage: the version's rollback
 * files, its schema snapshot (what a rollback of the version above must return
 * to) and, for the first version, `schemaBefore` (what its own rollback returns to).
 *
 * Callers hold the migration lock and have verified the bundle.
 *
 * @example
 * ```ts
 * await runVersion(ctx, await storage.pull('1.2.0'))
 * await runVersion(ctx, pulled, null, { skipKinds: ['seed'] })
 * ```
 */
export async function runVersion(
  ctx: VersionRunContext,
  pulled: PulledArtifact,
  verified: BundleFile[] | null = null,
  options: RunVersionOptions = {},
): Promise<void> {
  const { manifest, ref } = pulled
  const skip = options.skipKinds ?? []
  const kinds = applyKinds.filter((k) => !skip.includes(k))
  // Files already verified in memory run as they are; otherwise the bundle is read
  // again and every file re-checked against the manifest just before it runs (a large
  // one as it runs, before its transaction commits; one that does not run is only checked).
  const segments = planSegments(manifest.files, manifest.transactionScope, kinds)
  const files = verified
    ? fromMemory(verified)
    : streamingBundleFiles(pulled.open(), manifest, isStreamedFile, { limits: ctx.limits })
  await runSegments(ctx, {
    operation: 'apply',
    manifest,
    digest: ref.digest,
    segments,
    skippedFiles: manifest.files.filter((f) => skip.includes(f.kind)).map((f) => f.path),
    files,
    // Rollback files and the snapshot come last in a bundle, after every file that runs.
    beforeSuccess: async (tx: DriverTransaction) => {
      const before = options.schemaBefore
      const kept: KeptFile[] = before ? [keptSnapshot(schemaBeforePath, before)] : []
      for await (const f of files) {
        const { file } = f
        if (file.kind === 'rollback' || file.kind === 'schema') {
          kept.push({ path: file.path, sha256: file.sha256, content: (await contentOf(f)).toString('utf8') })
        }
      }
      if (kept.length > 0) await tx.records.keepFiles(manifest.version, ref.digest, kept)
    },
  })
}
