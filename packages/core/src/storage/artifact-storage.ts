import type { Readable } from 'node:stream'
import type { Manifest } from '../manifest/manifest.js'

/** Where a stored version lives: its OCI manifest digest identifies it for ever. */
export interface ArtifactRef {
  version: string
  /** Digest of the OCI image manifest (`sha256:…`): what `apply` records. */
  digest: string
  /** Size of the OCI image manifest in bytes. */
  size: number
  /** Digest of the bundle layer. */
  bundleDigest: string
  bundleSize: number
  /** The storage's name, without secrets. */
  storage: string
}

/** A stored version, as `list()` reports it. */
export interface VersionInfo {
  version: string
  digest: string
  created: string | null
  /**
   * The release notes (`null`: none), when the storage has them without opening the version's
   * manifest (an OCI layout records them in `index.json` when it tags a version). Display only,
   * never checked against anything; absent when unknown: read the manifest (`pull`) instead.
   */
  notes?: string | null
}

/** Something attached to a version: a signature, an SBOM, a provenance statement. */
export interface Attachment {
  /** e.g. `application/vnd.dev.sigstore.bundle.v0.3+json`, `application/vnd.cyclonedx+json` */
  artifactType: string
  /** Media type of `data`. */
  mediaType: string
  data: Uint8Array
  annotations?: Record<string, string>
  /** Digest of the attachment's own manifest, set when read back. */
  digest?: string
}

/** What `pull` returns: the verified manifest and a way to stream the bundle. */
export interface PulledArtifact {
  ref: ArtifactRef
  manifest: Manifest
  /**
   * Streams the bundle bytes. The stream fails with `DIGEST_MISMATCH` at its end
   * when the bytes differ from the layer digest; consume it fully before trusting it.
   */
  open(): Readable
}

/** What {@link ArtifactStorage.push} stores. */
export interface PushInput {
  manifest: Manifest
  bundle: Readable | Uint8Array
  /**
   * Computes what to attach (SBOM, provenance, signature) from the stored version
   * before it is visible: the attachments are stored before the version's tag, so the
   * version never appears without them, and when this throws no version appears at
   * all. A storage without `attach` refuses it with `STORAGE_UNSUPPORTED` before storing anything.
   */
  attachments?: (artifact: PulledArtifact) => Promise<readonly Attachment[]>
}

/**
 * Where bundles are stored. Implement it directly, or implement the smaller
 * {@link ContentTarget} and wrap it with `createTargetStorage`.
 */
export interface ArtifactStorage {
  /** Human-readable location, without secrets. */
  readonly name: string
  /**
   * Stores a version (with `input.attachments`, before it becomes visible). Refuses with
   * `IMMUTABLE_VERSION` when the version exists with other content; storing identical
   * content again is a no-op.
   */
  push(input: PushInput): Promise<ArtifactRef>
  /** Fetches and validates a version's manifest. Throws `VERSION_NOT_FOUND` when absent. */
  pull(version: string): Promise<PulledArtifact>
  /** True when the version is stored. */
  exists(version: string): Promise<boolean>
  /** Every stored version, in semver order, with digest and creation time. */
  list(): Promise<VersionInfo[]>
  /** Removes a version (and its tag). Throws `STORAGE_UNSUPPORTED` where the store forbids deletion. */
  delete(version: string): Promise<void>
  /** Attaches a signature, SBOM or provenance to a stored version. */
  attach?(ref: ArtifactRef, attachment: Attachment): Promise<void>
  /** Everything attached to a stored version, contents verified against their digests. */
  attachments?(ref: ArtifactRef): Promise<Attachment[]>
}
