import { bundleFiles } from '../bundle/bundle-reader.js'
import type { BundleLimits } from '../bundle/limits.js'
import { applyKinds, type FileKind, type ManifestFile } from '../manifest/manifest.js'
import { analyzeSql, runnableStatements } from '../sql/analyze-sql.js'
import type { PulledArtifact } from '../storage/artifact-storage.js'
import { planSegments } from './segments.js'

/** What apply would run for one version: transaction boundaries, files, statements. */
export interface DryRunVersion {
  version: string
  digest: string
  /** Files verified but left out (seed files in an environment without seeds); absent when none. */
  skippedFiles?: string[]
  segments: {
    transactional: boolean
    files: { path: string; statements: { index: number; line: number; text: string }[] }[]
  }[]
}

/**
 * Reads a verified version and lays out exactly what apply would execute,
 * without touching a database.
 *
 * @example
 * ```ts
 * const layout = await dryRunVersion(await storage.pull('1.2.0'))
 * ```
 */
export async function dryRunVersion(
  pulled: PulledArtifact,
  limits?: Partial<BundleLimits>,
  options: { skipKinds?: readonly FileKind[] } = {},
): Promise<DryRunVersion> {
  const { manifest, ref } = pulled
  const skip = options.skipKinds ?? []
  const kinds = applyKinds.filter((k) => !skip.includes(k))
  const statements = new Map<string, { index: number; line: number; text: string }[]>()
  for await (const { file, content } of bundleFiles(pulled.open(), manifest, { limits })) {
    if (!kinds.includes(file.kind)) continue
    const analysis = await analyzeSql(content.toString('utf8'), file.path, { noTransaction: !file.transaction })
    const run = file.transaction ? runnableStatements(analysis) : analysis.statements
    statements.set(
      file.path,
      run.map((s) => ({ index: s.index, line: s.line, text: s.text })),
    )
  }
  return {
    version: manifest.version,
    digest: ref.digest,
    ...skippedFiles(manifest.files, skip),
    segments: planSegments(manifest.files, manifest.transactionScope, kinds).map((segment) => ({
      transactional: segment.transactional,
      files: segment.files.map((f) => ({ path: f.path, statements: statements.get(f.path) ?? [] })),
    })),
  }
}

function skippedFiles(files: readonly ManifestFile[], skip: readonly FileKind[]): { skippedFiles?: string[] } {
  const paths = files.filter((f) => skip.includes(f.kind)).map((f) => f.path)
  return paths.length > 0 ? { skippedFiles: paths } : {}
}
