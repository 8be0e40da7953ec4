import type { Manifest } from '../manifest/manifest.js'
import type { Descriptor } from './descriptor.js'
import { annotations, mediaTypes } from './media-types.js'

/**
 * Notes longer than this (as JSON) are not copied into a tag's index entry: `index.json` stays
 * small however long the notes are, and `list` reads such a version's manifest instead.
 */
export const maxNotesAnnotationChars = 2048
/** The manifest schema's own limit on notes. */
const maxNotesChars = 65536

/**
 * The descriptor to tag a version with: `desc` plus the version's release notes as the
 * `io.squizzle.notes` annotation (JSON: a string, or `null` for none), so a store that keeps
 * descriptors in its own index (an OCI layout's `index.json`) can list notes without opening
 * a manifest. Display only: nothing trusts it, the manifest digest stays the truth.
 * Notes too long for an index entry are left out (see {@link maxNotesAnnotationChars}).
 *
 * @example
 * ```ts
 * await target.tag(withNotesAnnotation(image.desc, manifest), manifest.version)
 * ```
 */
export function withNotesAnnotation(desc: Descriptor, manifest: Manifest): Descriptor {
  const { [annotations.notes]: _stale, ...kept } = desc.annotations ?? {}
  const value = JSON.stringify(manifest.notes ?? null)
  const merged: Record<string, string> = { ...kept }
  if (value.length <= maxNotesAnnotationChars) merged[annotations.notes] = value
  const { annotations: _all, ...plain } = desc
  return Object.keys(merged).length > 0 ? { ...plain, annotations: merged } : plain
}

/**
 * The release notes an index entry of a bundle records (`null`: the version has none), or
 * `undefined` when it records none that can be read (an entry written before notes were
 * recorded, notes too long, or a damaged value): then the manifest has to be read.
 *
 * @example
 * ```ts
 * const notes = recordedNotes(desc) ?? (await storage.pull(version)).manifest.notes ?? null
 * ```
 */
export function recordedNotes(desc: Descriptor): string | null | undefined {
  const value = desc.annotations?.[annotations.notes]
  if (value === undefined || desc.artifactType !== mediaTypes.bundleArtifact) return undefined
  let notes: unknown
  try {
    notes = JSON.parse(value)
  } catch {
    return undefined
  }
  if (notes === null) return null
  return typeof notes === 'string' && notes.length <= maxNotesChars ? notes : undefined
}
