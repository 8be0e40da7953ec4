import type { ErrorObject } from 'ajv'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { SquizzleErrorCode } from '../errors/error-codes.js'
import { closestMatch } from '../text/closest-match.js'

/** A compiled JSON Schema check that throws a typed error naming the bad field. */
export type SchemaCheck<T> = (value: unknown, source: string) => T

/** A validator as ajv compiles it (at run time, or ahead of time as standalone code). */
export interface CompiledValidator {
  (value: unknown): boolean
  errors?: ErrorObject[] | null
}

/**
 * Wraps a compiled validator, which `validator` returns on first use (a precompiled
 * one, or a schema compiled then): the returned check throws `code` with the first
 * offending field (`/files/3/sha256 must match pattern ...`) and where it came from.
 *
 * @example
 * ```ts
 * const check = schemaCheck<Manifest>(() => validateManifestShape, 'MANIFEST_INVALID', 'Rebuild the version.')
 * check(JSON.parse(text), 'manifest of 1.2.0')
 * ```
 */
export function schemaCheck<T>(
  validator: () => CompiledValidator,
  code: SquizzleErrorCode,
  hint: string,
): SchemaCheck<T> {
  let validate: CompiledValidator | undefined
  return (value, source) => {
    validate ??= validator()
    if (validate(value)) return value as T
    const problems = (validate.errors ?? []).map(describeSchemaError)
    throw new SquizzleError(code, `${source}: ${problems[0] ?? 'does not match its schema'}`, {
      hint,
      details: { source, problems },
    })
  }
}

/** One ajv error as `/path problem`, naming an unknown property (and the known one meant) or the allowed values. */
export function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath
  if (error.keyword === 'additionalProperties') {
    const property = String(error.params['additionalProperty'])
    // Validators are compiled verbose, so an error carries the schema it broke.
    const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {})
    const meant = closestMatch(property, known)
    return `${where} has an unknown property "${property}"${meant ? ` (did you mean "${meant}"?)` : ''}`
  }
  if (error.keyword === 'enum') {
    return `${where} must be one of ${JSON.stringify(error.params['allowedValues'])}`
  }
  return `${where} ${error.message ?? 'is invalid'}`
}
