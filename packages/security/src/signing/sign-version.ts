import { type ArtifactRef, type Attachment, type Manifest, type Signer } from '@squizzle/core'
import { annotations, mediaTypes } from '@squizzle/core/oci'
import { inTotoPayloadType, type Statement } from '../in-toto/statement.js'
import type { BuildEnvironment } from '../provenance/ci-environment.js'
import { provenanceStatement, slsaProvenanceType } from '../provenance/slsa-provenance.js'

/**
 * Signs a stored version: a SLSA provenance statement naming its bundle and
 * manifest, in a DSSE envelope, as a Sigstore bundle ready to attach
 * (cosign's layout: artifactType = the bundle media type, content annotations).
 *
 * @example
 * ```ts
 * const attachment = await signVersion(signer, ref, manifest, buildEnvironment(process.env))
 * await storage.attach!(ref, attachment)
 * ```
 */
export async function signVersion(
  signer: Signer,
  ref: ArtifactRef,
  manifest: Manifest,
  env: BuildEnvironment,
  now = new Date(),
): Promise<Attachment> {
  const statement = provenanceStatement(ref, manifest, env)
  const bundle = await signer.sign(Buffer.from(JSON.stringify(statement), 'utf8'), inTotoPayloadType)
  return {
    artifactType: mediaTypes.sigstoreBundle,
    mediaType: mediaTypes.sigstoreBundle,
    data: Buffer.from(JSON.stringify(bundle), 'utf8'),
    annotations: {
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': slsaProvenanceType,
      [annotations.created]: now.toISOString(),
    },
  }
}

/**
 * An unsigned in-toto statement (e.g. provenance of an unsigned build) as an attachment.
 *
 * @example
 * ```ts
 * await storage.attach!(ref, statementAttachment(provenanceStatement(ref, manifest, env)))
 * ```
 */
export function statementAttachment(statement: Statement<unknown>, now = new Date()): Attachment {
  return {
    artifactType: mediaTypes.inTotoStatement,
    mediaType: mediaTypes.inTotoStatement,
    data: Buffer.from(JSON.stringify(statement), 'utf8'),
    annotations: { 'in-toto.io/predicate-type': statement.predicateType, [annotations.created]: now.toISOString() },
  }
}
