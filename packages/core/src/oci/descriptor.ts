/** An OCI content descriptor: what a blob or manifest is, by digest. */
export interface Descriptor {
  mediaType: string
  /** `sha256:<64 lower-case hex>` */
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
  /** Base64 of the content, for tiny blobs. */
  data?: string
}

/** An OCI image manifest, as Squizzle writes and reads it. */
export interface ImageManifest {
  schemaVersion: 2
  mediaType: string
  artifactType?: string
  config: Descriptor
  layers: Descriptor[]
  subject?: Descriptor
  annotations?: Record<string, string>
}

/** An OCI image index (also the shape of `index.json` and of referrers lists). */
export interface ImageIndex {
  schemaVersion: 2
  mediaType?: string
  manifests: Descriptor[]
  annotations?: Record<string, string>
}
