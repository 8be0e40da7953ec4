import { compareVersions, diffSnapshots, isVersion, verifyVersion, versionSnapshot } from '@squizzle/core'
import {
  isSquizzleError,
  type Attachment,
  type ContentTarget,
  type ManifestFile,
  type SchemaSnapshot,
} from '@squizzle/core'
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
  private readonly verified = new Map<string, ReleaseSummary>()

  constructor(
    private readonly storage: ArtifactStorage,
    private readonly policy: ArtifactPolicy | undefined,
    private readonly limits: Partial<BundleLimits> | undefined,
  ) {}

  /**
   * Every stored version's name, newest first. WHY the content target's tags when there
   * is one: `list()` resolves and reads every version's manifest (seconds for a thousand
   * versions), while a page needs the names to sort and only its own rows' manifests.
   */
  async versions(): Promise<string[]> {
    const target = (this.storage as { target?: ContentTarget }).target
    const names: string[] = []
    if (target) {
      for await (const tag of target.tags()) if (isVersion(tag)) names.push(tag)
    } else {
      names.push(...(await this.storage.list()).map((v) => v.version))
    }
    return names.sort((a, b) => compareVersions(b, a))
  }

  async page(page: number, pageSize: number): Promise<ReleasePage> {
    const all = await this.versions()
    const pages = Math.max(1, Math.ceil(all.length / pageSize))
    const current = Math.min(Math.max(1, page), pages)
    const slice = all.slice((current - 1) * pageSize, current * pageSize)
    const releases = await mapLimit(slice, 8, (v) => this.summary(v))
    return { total: all.length, page: current, pageSize, pages, releases }
  }

  /**
   * A release's row. A verified signature stays verified (the manifest digest names the
   * same bytes for ever, the policy is fixed), so those rows are cached by digest; an
   * unsigned or refused one is checked again each time, since signing later adds one.
   */
  async summary(version: string): Promise<ReleaseSummary> {
    const pulled = await this.storage.pull(version)
    const cached = this.verified.get(pulled.ref.digest)
    if (cached) return cached
    // With a policy, its check reads the signatures itself: no second read of the attachments.
    const summary = await this.describe(pulled, this.policy ? null : await this.attachmentsOf(pulled))
    if (summary.signature.status === 'verified') this.verified.set(pulled.ref.digest, summary)
    return summary
  }

  /** The release page's data; `VERSION_NOT_FOUND` for a version the storage lacks. */
  async detail(version: string): Promise<ReleaseDetail> {
    const pulled = await this.pull(version)
    const attachments = await this.attachmentsOf(pulled)
    const summary = await this.describe(pulled, attachments)
    const { manifest } = pulled
    const fileList = manifest.files.map(({ path, kind, size, sha256, transaction }) => ({
      path,
      kind,
      size,
      sha256,
      transaction,
    }))
    return {
      ...summary,
      integrity: await this.integrity(version, pulled.ref.digest),
      fileList,
      transactionScope: manifest.transactionScope,
      irreversible: manifest.irreversible === true,
      sbom: sbomSummary(attachments),
      provenance: provenanceSummary(attachments),
      diff: await this.diffToPrevious(pulled),
    }
  }

  /** The schema recorded at build, or null when the version was built without one. */
  async schema(version: string): Promise<SchemaSnapshot | null> {
    return versionSnapshot(await this.pull(version), this.limits)
  }

  /** Pulls a stored version; a name that is no version is `USAGE`, an absent one `VERSION_NOT_FOUND`. */
  private async pull(version: string): Promise<PulledArtifact> {
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

  /**
   * What `diffVersions(previous, version)` reports, for the stored version right below:
   * this version's files and the difference between the two snapshots (core's `diffSnapshots`).
   * WHY not `diffVersions` itself: it lists the whole storage first, seconds for a thousand versions.
   */
  private async diffToPrevious(pulled: PulledArtifact): Promise<VersionDiff | null> {
    const to = pulled.manifest.version
    const from = (await this.versions()).find((v) => compareVersions(v, to) < 0)
    if (!from) return null
    const previous = await this.storage.pull(from)
    const before = await versionSnapshot(previous, this.limits)
    const after = await versionSnapshot(pulled, this.limits)
    const files = pulled.manifest.files
      .filter((f) => f.kind !== 'schema')
      .map(({ path, kind, size, sha256 }) => ({ path, kind, size, sha256 }))
    const missingSnapshots = [before ? null : from, after ? null : to].filter((v): v is string => v !== null)
    const schema = before && after ? diffSnapshots(before, after) : null
    return { from, to, versions: [{ version: to, digest: pulled.ref.digest, files }], schema, missingSnapshots }
  }

  private async attachmentsOf(pulled: PulledArtifact): Promise<Attachment[]> {
    return this.storage.attachments ? this.storage.attachments(pulled.ref) : []
  }

  private async describe(pulled: PulledArtifact, attachments: readonly Attachment[] | null): Promise<ReleaseSummary> {
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
