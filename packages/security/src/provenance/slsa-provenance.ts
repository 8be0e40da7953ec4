import type { ArtifactRef, Manifest } from '@squizzle/core'
import { artifactSubjects } from '../in-toto/artifact-subjects.js'
import { statement, type Statement } from '../in-toto/statement.js'
import type { BuildEnvironment } from './ci-environment.js'

export const slsaProvenanceType = 'https://slsa.dev/provenance/v1'
/** Documents what a Squizzle build is: SQL files bundled into a version (SLSA `buildType`). */
export const squizzleBuildType = 'https://squizzle.dev/provenance/build/v1'

/** A SLSA v1 provenance predicate, as far as Squizzle fills it. */
export interface SlsaProvenance {
  buildDefinition: {
    buildType: string
    externalParameters: Record<string, unknown>
    internalParameters: Record<string, unknown>
    resolvedDependencies: { uri?: string; name?: string; digest: Record<string, string> }[]
  }
  runDetails: {
    builder: { id: string; version: Record<string, string> }
    metadata: { invocationId?: string; startedOn: string; finishedOn?: string }
  }
}

/**
 * An in-toto statement with a SLSA v1 provenance predicate for a built version:
 * subjects are the bundle layer and the Squizzle manifest; the source commit,
 * every SQL file and the tool versions are the build's inputs.
 *
 * @example
 * ```ts
 * const s = provenanceStatement(ref, manifest, buildEnvironment(process.env))
 * const bundle = await signer.sign(Buffer.from(JSON.stringify(s)), inTotoPayloadType)
 * ```
 */
export function provenanceStatement(
  ref: ArtifactRef,
  manifest: Manifest,
  env: BuildEnvironment,
): Statement<SlsaProvenance> {
  const source: SlsaProvenance['buildDefinition']['resolvedDependencies'] = env.repository
    ? [
        {
          uri: env.ref ? `${env.repository}@${env.ref}` : env.repository,
          digest: env.commit ? { gitCommit: env.commit } : {},
        },
      ]
    : []
  const files = manifest.files.map((f) => ({ name: f.path, digest: { sha256: f.sha256 } }))
  const tools = Object.fromEntries(
    Object.entries(manifest.tools).filter((e): e is [string, string] => typeof e[1] === 'string'),
  )
  return statement<SlsaProvenance>(artifactSubjects(ref, manifest), slsaProvenanceType, {
    buildDefinition: {
      buildType: squizzleBuildType,
      externalParameters: {
        version: manifest.version,
        previousVersion: manifest.previousVersion,
        transactionScope: manifest.transactionScope,
        ...(env.repository ? { source: env.repository } : {}),
        ...(env.ref ? { ref: env.ref } : {}),
      },
      internalParameters: { manifestChecksum: manifest.checksum },
      resolvedDependencies: [...source, ...files],
    },
    runDetails: {
      builder: { id: env.builderId, version: tools },
      metadata: { ...(env.invocationId ? { invocationId: env.invocationId } : {}), startedOn: manifest.created },
    },
  })
}
