import { type Attachment } from '@squizzle/core'
import { annotations, mediaTypes } from '@squizzle/core/oci'

/**
 * A CycloneDX JSON document as an attachment of a version.
 *
 * @example
 * ```ts
 * await storage.attach!(ref, sbomAttachment(cyclonedxSbom({ ref, manifest, files })))
 * ```
 */
export function sbomAttachment(json: string, now = new Date()): Attachment {
  return {
    artifactType: mediaTypes.cyclonedx,
    mediaType: mediaTypes.cyclonedx,
    data: Buffer.from(json, 'utf8'),
    annotations: { 'org.cyclonedx.spec-version': '1.6', [annotations.created]: now.toISOString() },
  }
}
