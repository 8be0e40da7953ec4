import { compareVersions, diffVersions, verifyVersion, versionSnapshot } from '@squizzle/core'
import { isSquizzleError, SquizzleError, type Attachment, type ManifestFile, type SchemaSnapshot } from '@squizzle/core'
import type { ArtifactPolicy, ArtifactStorage, BundleLimits, PulledArtifact, VersionDiff } from '@squizzle/core'
import { provenanceSummary, sbomSummary, type ProvenanceSummary, type SbomSummary } from './evidence.js'
import { mapLimit } from './map-limit.js'
import { signatureStatus, type SignatureStatus } from './signature.js'

/** One row of the release list. */
export interface ReleaseSummary {
  version: string
  digest: string
  created: string | null
  notes: string | null
  author: string | null
  files: number
  previousVersion: string | null
  signature: SignatureStatus
}

/** A page of the release list, newest first. */
export interface ReleasePage {
  total: number
  page: number
  pageSize: number
  pages: number
  releases: ReleaseSummary[]
}

/** Everything the release page shows. */
export interface ReleaseDetail extends ReleaseSummary {
  /** Every byte checked as apply would (digests, checksums, the policy): null, or why it failed. */
  integrity: { ok: boolean; code: string | null; message: string | null }
  fileList: Pick<ManifestFile, 'path' | 'kind' | 'size' | 'sha256' | 'transaction'>[]
  transactionScope: string
  irreversible: boolean
  sbom: SbomSummary | null
  provenance: ProvenanceSummary | null
  /** The schema and files since the previous stored version, or null for the first one. */
  diff: VersionDiff | null
}

/**
 * Reads releases from the storage, caching what cannot change: a digest names
 * the same manifest for ever. Signature checks are cached per digest and set of
 * attachments, since signing later adds one.
 *
 * @example
 * ```ts
 * const releases = new ReleaseReader(storage, policy)
 * const first = await releases.page(1, 50)
 * ```
 */
export class ReleaseReader {
  private readonly summaries = new Map<string, Promise<ReleaseSummary>>()

  constructor(
    private readonly storage: ArtifactStorage,
    private readonly policy: ArtifactPolicy | undefined,
    private readonly limits: Partial<BundleLimits> | undefined,
  ) {}

  /** Every stored version, newest first. */
  async versions(): Promise<{ version: string; digest: string; created: string | null }[]> {
    return (await this.storage.list()).sort((a, b) => compareVersions(b.version, a.version))
  }

  async page(page: number, pageSize: number): Promise<ReleasePage> {
    const all = await this.versions()
    const pages = Math.max(1, Math.ceil(all.length / pageSize))
    const current = Math.min(Math.max(1, page), pages)
    const slice = all.slice((current - 1) * pageSize, current * pageSize)
    const releases = await mapLimit(slice, 8, (v) => this.summary(v.version))
    return { total: all.length, page: current, pageSize, pages, releases }
  }

  /** A release's row, cached by manifest digest and attachments. */
  async summary(version: string): Promise<ReleaseSummary> {
    const pulled = await this.storage.pull(version)
    const attachments = await this.attachmentsOf(pulled)
    const key = `${pulled.ref.digest}|${attachments.map((a) => a.digest ?? '').join(',')}`
    let cached = this.summaries.get(key)
    if (!cached) {
      cached = this.describe(pulled, attachments)
      this.summaries.set(key, cached)
      cached.catch(() => this.summaries.delete(key))
    }
    return cached
  }

  /** The release page's data; `VERSION_NOT_FOUND` for a version the storage lacks. */
  async detail(version: string): Promise<ReleaseDetail> {
    const pulled = await this.pull(version)
    const attachments = await this.attachmentsOf(pulled)
    const summary = await this.describe(pulled, attachments)
    const { manifest } = pulled
    const fileList = manifest.files.map(({ path, kind, size, sha256, transaction }) => ({ path, kind, size, sha256, transaction }))
    return {
      ...summary,
      integrity: await this.integrity(version, pulled.ref.digest),
      fileList,
      transactionScope: manifest.transactionScope,
      irreversible: manifest.irreversible === true,
      sbom: sbomSummary(attachments),
      provenance: provenanceSummary(attachments),
      diff: await this.diffToPrevious(version),
    }
  }

  /** The schema recorded at build, or null when the version was built without one. */
  async schema(version: string): Promise<SchemaSnapshot | null> {
    return versionSnapshot(await this.pull(version), this.limits)
  }

  private async pull(version: string): Promise<PulledArtifact> {
    if (!(await this.storage.list()).some((v) => v.version === version)) {
      throw new SquizzleError('VERSION_NOT_FOUND', `version ${version} is not in ${this.storage.name}`, {
        hint: 'The release list shows every stored version.',
      })
    }
    return this.storage.pull(version)
  }

  private async integrity(version: string, digest: string): Promise<ReleaseDetail['integrity']> {
    try {
      await verifyVersion(this.storage, `${version}@${digest}`, { policy: this.policy, limits: this.limits })
      return { ok: true, code: null, message: null }
    } catch (err) {
      if (!isSquizzleError(err)) throw err
      return { ok: false, code: err.code, message: err.message }
    }
  }

  private async diffToPrevious(version: string): Promise<VersionDiff | null> {
    const all = await this.versions()
    const previous = all.find((v) => compareVersions(v.version, version) < 0)
    if (!previous) return null
    return diffVersions({ storage: this.storage, from: previous.version, to: version, limits: this.limits })
  }

  private async attachmentsOf(pulled: PulledArtifact): Promise<Attachment[]> {
    return this.storage.attachments ? this.storage.attachments(pulled.ref) : []
  }

  private async describe(pulled: PulledArtifact, attachments: readonly Attachment[]): Promise<ReleaseSummary> {
    const { manifest, ref } = pulled
    return {
      version: manifest.version,
      digest: ref.digest,
      created: manifest.created,
      notes: manifest.notes ?? null,
      author: manifest.author ?? null,
      files: manifest.files.filter((f) => f.kind !== 'schema').length,
      previousVersion: manifest.previousVersion,
      signature: await signatureStatus(this.storage, pulled, attachments, this.policy),
    }
  }
}
