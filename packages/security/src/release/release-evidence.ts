import { createHash } from 'node:crypto'
import { basename } from 'node:path'
import {
  streamingBundleFiles,
  type Attachment,
  type BundleLimits,
  type PulledArtifact,
  type Signer,
} from '@squizzle/core'
import { buildEnvironment } from '../provenance/ci-environment.js'
import { provenanceStatement } from '../provenance/slsa-provenance.js'
import { cyclonedxSbom, type FileSha512 } from '../sbom/cyclonedx-sbom.js'
import { findLockfile } from '../sbom/find-lockfile.js'
import { readLockfilePackages } from '../sbom/lockfile-packages.js'
import { sbomAttachment } from '../sbom/sbom-attachment.js'
import { signVersion, statementAttachment } from '../signing/sign-version.js'

/** Where a version's SBOM comes from. */
export interface SbomOptions {
  /**
   * The project folder: its lockfile (found upward) lists the build's packages, its name names the SBOM's component.
   */
  projectDir: string
  /** Limits for reading the bundle. */
  limits?: Partial<BundleLimits> | undefined
}

/** What goes into a version's release evidence. */
export interface ReleaseEvidenceOptions extends SbomOptions {
  /** Signs the provenance into a Sigstore bundle; without one the provenance is an unsigned in-toto statement. */
  signer?: Signer | null | undefined
  /** The environment the build runs in: CI variables name the source repository, commit and run. */
  env: Record<string, string | undefined>
  /** Include the SBOM (default true; false when one is attached already). */
  sbom?: boolean | undefined
}

/**
 * The CycloneDX SBOM of a version: its files, read from the bundle and checked
 * against the manifest, and the npm packages of the project's lockfile.
 *
 * @example
 * ```ts
 * const json = await versionSbom(await storage.pull('1.2.0'), { projectDir: process.cwd() })
 * ```
 */
export async function versionSbom(artifact: PulledArtifact, options: SbomOptions): Promise<string> {
  return sbomOf(artifact, await verifiedFiles(artifact, options.limits), options)
}

/**
 * A version's release evidence, ready to attach: its SBOM, and its SLSA provenance
 * (in a Sigstore bundle when a signer is given, else as a plain in-toto statement).
 * Every file of the bundle is read and checked against the manifest first (even
 * without the SBOM), so nothing is signed that was not verified. Give it to
 * `buildVersion({ attachments })` so the version is stored with it before it becomes
 * visible, or use {@link attachReleaseEvidence} for a version already stored.
 *
 * @example
 * ```ts
 * await buildVersion({ ...options, attachments: (artifact) => releaseEvidence(artifact, { signer, env, projectDir }) })
 * ```
 */
export async function releaseEvidence(
  artifact: PulledArtifact,
  options: ReleaseEvidenceOptions,
): Promise<Attachment[]> {
  const { ref, manifest } = artifact
  const files = await verifiedFiles(artifact, options.limits)
  const evidence: Attachment[] = []
  if (options.sbom !== false) evidence.push(sbomAttachment(await sbomOf(artifact, files, options)))
  const env = buildEnvironment(options.env)
  if (options.signer) evidence.push(await signVersion(options.signer, ref, manifest, env))
  else evidence.push(statementAttachment(provenanceStatement(ref, manifest, env)))
  return evidence
}

/**
 * The SHA-512 of every file of the bundle, each file checked against the manifest (and the
 * bundle against its digest). The bytes stream through the hash and are dropped: a seed of
 * any size costs a piece of memory, not its size. The list is returned only once the whole
 * bundle has been read and verified.
 */
async function verifiedFiles(artifact: PulledArtifact, limits: SbomOptions['limits']): Promise<FileSha512[]> {
  const files: FileSha512[] = []
  for await (const entry of streamingBundleFiles(artifact.open(), artifact.manifest, () => true, { limits })) {
    const hash = createHash('sha512')
    for await (const piece of entry.content === null ? entry.bytes : [entry.content]) hash.update(piece)
    files.push({ file: entry.file, sha512: hash.digest('hex') })
  }
  return files
}

async function sbomOf(artifact: PulledArtifact, files: FileSha512[], options: SbomOptions): Promise<string> {
  const lockfile = await findLockfile(options.projectDir)
  const packages = lockfile ? await readLockfilePackages(lockfile) : []
  const { ref, manifest } = artifact
  return cyclonedxSbom({ ref, manifest, files, packages, name: basename(options.projectDir) })
}
