import { SquizzleError } from '@squizzle/core'

/** The DSSE payload type of an in-toto statement. */
export const inTotoPayloadType = 'application/vnd.in-toto+json'
export const inTotoStatementType = 'https://in-toto.io/Statement/v1'

/** What an attestation is about: a name and its digests (matching is by digest only). */
export interface Subject {
  name: string
  digest: { sha256: string }
}

/** An in-toto v1 statement: subjects plus a typed predicate. */
export interface Statement<P = Record<string, unknown>> {
  _type: typeof inTotoStatementType
  subject: Subject[]
  predicateType: string
  predicate: P
}

/**
 * An in-toto v1 statement over `subjects`.
 *
 * @example
 * ```ts
 * const s = statement([{ name: 'squizzle-1.0.0.tar.gz', digest: { sha256: 'ab…' } }], 'https://slsa.dev/provenance/v1', predicate)
 * ```
 */
export function statement<P>(subject: Subject[], predicateType: string, predicate: P): Statement<P> {
  return { _type: inTotoStatementType, subject, predicateType, predicate }
}

/**
 * Parses a signed payload as an in-toto v1 statement. The payload's signature was
 * already checked, but its shape was not: anything else is `SIGNATURE_INVALID`.
 *
 * @example
 * ```ts
 * const s = parseStatement(verified.payload)
 * ```
 */
export function parseStatement(payload: Uint8Array): Statement {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'))
  } catch (cause) {
    throw notAStatement('its payload is not JSON', cause)
  }
  const s = value as Partial<Statement> | null
  if (!s || typeof s !== 'object' || s._type !== inTotoStatementType)
    throw notAStatement(`its payload is not an in-toto v1 statement`)
  if (!Array.isArray(s.subject) || !s.subject.every(isSubject)) throw notAStatement('its subjects are malformed')
  if (typeof s.predicateType !== 'string') throw notAStatement('it has no predicate type')
  return s as Statement
}

function isSubject(value: unknown): value is Subject {
  const s = value as Partial<Subject> | null
  return !!s && typeof s.name === 'string' && !!s.digest && typeof s.digest.sha256 === 'string'
}

function notAStatement(why: string, cause?: unknown): SquizzleError {
  return new SquizzleError('SIGNATURE_INVALID', `the signature does not describe a Squizzle version: ${why}`, {
    hint: 'Sign the version; other attestations attached to it are not signatures of its bundle.',
    remedies: [{ operation: 'sign' }],
    cause,
  })
}
