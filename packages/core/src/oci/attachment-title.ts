import type { Attachment } from '../storage/artifact-storage.js'
import { mediaTypes } from './media-types.js'

/** File name suffixes by attachment media type, as the files are usually named. */
const suffixes: Record<string, string> = {
  [mediaTypes.cyclonedx]: 'sbom.cdx.json',
  [mediaTypes.sigstoreBundle]: 'sigstore.json',
  [mediaTypes.inTotoStatement]: 'provenance.intoto.json',
}

/**
 * The `org.opencontainers.image.title` of an attachment's layer: the file name
 * `oras pull` writes it to (ORAS skips layers without a title).
 *
 * @example
 * ```ts
 * attachmentTitle('1.2.0', sbomAttachment(json)) // 'squizzle-1.2.0.sbom.cdx.json'
 * ```
 */
export function attachmentTitle(version: string, attachment: Pick<Attachment, 'mediaType'>): string {
  const type = attachment.mediaType.split(';')[0]!.trim()
  const suffix = suffixes[type] ?? (/[+/]json$/.test(type) ? 'attachment.json' : 'attachment')
  return `squizzle-${version}.${suffix}`
}
