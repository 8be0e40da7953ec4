import type { Attachment } from '@squizzle/core'
import { mediaTypes } from '@squizzle/core/oci'

/** What the CycloneDX SBOM attached to a version lists. */
export interface SbomSummary {
  specVersion: string | null
  components: number
  /** Components by type (`file`, `library`, …). */
  byType: Record<string, number>
  tools: string[]
}

/** Who built a version from what, from its SLSA provenance statement. */
export interface ProvenanceSummary {
  /** True when the statement came from inside the signature (a DSSE payload), false for a plain statement. */
  signed: boolean
  builder: string | null
  repository: string | null
  commit: string | null
  ref: string | null
  startedOn: string | null
}

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null)

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    return null
  }
}

/**
 * Summarizes the SBOM attachment, or null when there is none (or it is not CycloneDX JSON).
 *
 * @example
 * ```ts
 * sbomSummary(await storage.attachments!(ref))?.components // 7
 * ```
 */
export function sbomSummary(attachments: readonly Attachment[]): SbomSummary | null {
  const found = attachments.find((a) => a.artifactType === mediaTypes.cyclonedx)
  const doc = found ? parseJson(found.data) : null
  if (!isObject(doc)) return null
  const components = Array.isArray(doc['components']) ? doc['components'].filter(isObject) : []
  const byType: Record<string, number> = {}
  for (const c of components) {
    const type = text(c['type']) ?? 'other'
    byType[type] = (byType[type] ?? 0) + 1
  }
  const metadata = isObject(doc['metadata']) ? doc['metadata'] : {}
  const toolsField = metadata['tools']
  const toolList = isObject(toolsField) && Array.isArray(toolsField['components']) ? toolsField['components'] : []
  const tools = toolList.filter(isObject).map((t) => [text(t['name']), text(t['version'])].filter(Boolean).join(' '))
  return { specVersion: text(doc['specVersion']), components: components.length, byType, tools }
}

/** The in-toto statement of the signature's DSSE envelope, else of a plain statement attachment. */
function provenanceStatement(attachments: readonly Attachment[]): { statement: Json; signed: boolean } | null {
  for (const a of attachments.filter((x) => x.artifactType === mediaTypes.sigstoreBundle)) {
    const bundle = parseJson(a.data)
    const envelope = isObject(bundle) ? bundle['dsseEnvelope'] : null
    const payload = isObject(envelope) ? text(envelope['payload']) : null
    const statement = payload ? parseJson(Buffer.from(payload, 'base64')) : null
    if (isObject(statement)) return { statement, signed: true }
  }
  const plain = attachments.find((a) => a.artifactType === mediaTypes.inTotoStatement)
  const statement = plain ? parseJson(plain.data) : null
  return isObject(statement) ? { statement, signed: false } : null
}

/**
 * Builder, repository and commit from the version's SLSA provenance, or null without one.
 *
 * @example
 * ```ts
 * provenanceSummary(attachments)?.commit // '3f2a…'
 * ```
 */
export function provenanceSummary(attachments: readonly Attachment[]): ProvenanceSummary | null {
  const found = provenanceStatement(attachments)
  if (!found) return null
  const predicate = isObject(found.statement['predicate']) ? found.statement['predicate'] : {}
  const definition = isObject(predicate['buildDefinition']) ? predicate['buildDefinition'] : {}
  const run = isObject(predicate['runDetails']) ? predicate['runDetails'] : {}
  const builder = isObject(run['builder']) ? text(run['builder']['id']) : null
  const metadata = isObject(run['metadata']) ? run['metadata'] : {}
  const params = isObject(definition['externalParameters']) ? definition['externalParameters'] : {}
  const deps = Array.isArray(definition['resolvedDependencies'])
    ? definition['resolvedDependencies'].filter(isObject)
    : []
  const source = deps.find((d) => isObject(d['digest']) && typeof d['digest']['gitCommit'] === 'string')
  const commit = source && isObject(source['digest']) ? text(source['digest']['gitCommit']) : null
  return {
    signed: found.signed,
    builder,
    repository: text(params['source']) ?? (source ? text(source['uri']) : null),
    commit,
    ref: text(params['ref']),
    startedOn: text(metadata['startedOn']),
  }
}
