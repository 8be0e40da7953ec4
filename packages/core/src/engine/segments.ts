import type { FileKind, ManifestFile, TransactionScope } from '../manifest/manifest.js'
import { applyKinds } from '../manifest/manifest.js'

/** Files that run together: in one transaction, or (one file) statement by statement outside any. */
export interface Segment {
  transactional: boolean
  files: ManifestFile[]
}

/**
 * Groups a version's runnable files into segments. With scope `version`,
 * consecutive transactional files share one transaction; a non-transactional
 * file stands alone, and a file marked `commitAfter` closes its transaction.
 * With scope `file`, every file is its own segment. Only files of `kinds` are
 * included (default: the kinds that run on apply; rollback passes `['rollback']`).
 *
 * @example
 * ```ts
 * planSegments(manifest.files, 'version') // [{ transactional: true, files: [...] }]
 * ```
 */
export function planSegments(
  files: readonly ManifestFile[],
  scope: TransactionScope,
  kinds: readonly FileKind[] = applyKinds,
): Segment[] {
  const segments: Segment[] = []
  let open: Segment | undefined
  for (const file of files) {
    if (!kinds.includes(file.kind)) continue
    if (!file.transaction) {
      segments.push({ transactional: false, files: [file] })
      open = undefined
      continue
    }
    if (!open || scope === 'file') {
      open = { transactional: true, files: [] }
      segments.push(open)
    }
    open.files.push(file)
    if (file.commitAfter) open = undefined
  }
  return segments
}
