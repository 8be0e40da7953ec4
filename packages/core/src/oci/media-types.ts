/** Media and artifact types of the Squizzle bundle as an OCI artifact (ORAS-shaped). */
export const mediaTypes = {
  imageManifest: 'application/vnd.oci.image.manifest.v1+json',
  imageIndex: 'application/vnd.oci.image.index.v1+json',
  emptyJson: 'application/vnd.oci.empty.v1+json',
  bundleArtifact: 'application/vnd.squizzle.bundle.v1',
  squizzleManifest: 'application/vnd.squizzle.manifest.v1+json',
  bundleLayer: 'application/vnd.squizzle.bundle.v1.tar+gzip',
  /** A Sigstore bundle (v0.3) attached to a version: its signature (cosign's convention). */
  sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  /** A CycloneDX JSON SBOM attached to a version. */
  cyclonedx: 'application/vnd.cyclonedx+json',
  /** An unsigned in-toto statement (e.g. SLSA provenance) attached to a version. */
  inTotoStatement: 'application/vnd.in-toto+json',
} as const

/** Annotation keys: the OCI standard ones, and Squizzle's own. */
export const annotations = {
  title: 'org.opencontainers.image.title',
  version: 'org.opencontainers.image.version',
  created: 'org.opencontainers.image.created',
  refName: 'org.opencontainers.image.ref.name',
  /** A version's release notes as JSON, on its tag's index entry (display only, see `withNotesAnnotation`). */
  notes: 'io.squizzle.notes',
} as const

/** The empty JSON blob `{}` used as config of attachment artifacts. */
export const emptyJsonBlob = Buffer.from('{}', 'utf8')
