import { basename } from 'node:path'
import { bundleFiles, mediaTypes, SquizzleError, type ArtifactRef, type ArtifactStorage, type Attachment, type BundleFile, type Manifest, type Signer } from '@squizzle/core'
import type { CommandContext } from '../context.js'

/** What was attached to a version. */
export interface AttachedEvidence {
  /** True when an SBOM was attached now (false: one was attached already). */
  sbom: boolean
  provenance: 'signed' | 'unsigned'
}

/**
 * The version's CycloneDX SBOM, generated from its verified files and the
 * project's lockfile (found upward from the config's folder).
 *
 * @example
 * ```ts
 * const json = await generateSbom(ctx, storage, '1.2.0')
 * ```
 */
export async function generateSbom(ctx: CommandContext, storage: ArtifactStorage, version: string): Promise<{ ref: ArtifactRef; manifest: Manifest; json: string }> {
  // Loaded here, not at start-up: CycloneDX and Sigstore are the CLI's heaviest dependencies.
  const { cyclonedxSbom, findLockfile, readLockfilePackages } = await import('@squizzle/security')
  const pulled = await storage.pull(version)
  const files: BundleFile[] = []
  for await (const file of bundleFiles(pulled.open(), pulled.manifest, { limits: ctx.settings.limits })) files.push(file)
  const lockfile = await findLockfile(ctx.root)
  const packages = lockfile ? await readLockfilePackages(lockfile) : []
  return { ref: pulled.ref, manifest: pulled.manifest, json: cyclonedxSbom({ ref: pulled.ref, manifest: pulled.manifest, files, packages, name: basename(ctx.root) }) }
}

/**
 * Attaches the SBOM (unless one is attached already) and the provenance: signed
 * in a Sigstore bundle when a signer is given, else as a plain in-toto statement.
 * Resolve the signer (key, passphrase, token) before building, so a missing
 * secret fails before a version exists.
 *
 * @example
 * ```ts
 * await attachEvidence(ctx, storage, '1.2.0', await signerFor(ctx))
 * ```
 */
export async function attachEvidence(ctx: CommandContext, storage: ArtifactStorage, version: string, signer: Signer | null): Promise<AttachedEvidence & { ref: ArtifactRef }> {
  if (!storage.attach || !storage.attachments) {
    throw new SquizzleError('STORAGE_UNSUPPORTED', `${storage.name} cannot hold signatures, SBOMs or provenance`, { hint: 'Use an OCI layout directory (file:PATH) or an OCI registry.' })
  }
  const { buildEnvironment, provenanceStatement, sbomAttachment, signVersion, statementAttachment } = await import('@squizzle/security')
  const { ref, manifest, json } = await generateSbom(ctx, storage, version)
  const existing = await storage.attachments(ref)
  const attach = (a: Attachment) => storage.attach!(ref, a)
  const hasSbom = existing.some((a) => a.artifactType === mediaTypes.cyclonedx)
  if (!hasSbom) await attach(sbomAttachment(json))
  const env = buildEnvironment(ctx.io.env)
  if (signer) await attach(await signVersion(signer, ref, manifest, env))
  else await attach(statementAttachment(provenanceStatement(ref, manifest, env)))
  return { ref, sbom: !hasSbom, provenance: signer ? 'signed' : 'unsigned' }
}
