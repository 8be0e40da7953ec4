import { bundleFiles } from '../bundle/bundle-reader.js'
import type { BundleLimits } from '../bundle/limits.js'
import { snapshotPath } from '../manifest/manifest.js'
import { parseSnapshot, type SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import type { PulledArtifact } from '../storage/artifact-storage.js'

/**
 * The schema snapshot a version recorded at build (`schema/snapshot.json`), read
 * from its bundle with every byte verified against the manifest; null when the
 * version was built without one.
 *
 * @example
 * ```ts
 * const expected = await versionSnapshot(await storage.pull('1.2.0'))
 * ```
 */
export async function versionSnapshot(
  pulled: PulledArtifact,
  limits?: Partial<BundleLimits>,
): Promise<SchemaSnapshot | null> {
  if (!pulled.manifest.files.some((f) => f.kind === 'schema')) return null
  let snapshot: SchemaSnapshot | null = null
  // The whole bundle is read: its structure and every file's digest are checked, not only the snapshot's.
  for await (const { file, content } of bundleFiles(pulled.open(), pulled.manifest, { limits })) {
    if (file.path === snapshotPath) snapshot = parseSnapshot(content, `${snapshotPath} of ${pulled.manifest.version}`)
  }
  return snapshot
}
