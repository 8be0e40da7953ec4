import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { SquizzleError } from '../errors/squizzle-error.js'
import type { SquizzleErrorCode } from '../errors/error-codes.js'

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true })

/** A compiled JSON Schema check that throws a typed error naming the bad field. */
export type SchemaCheck<T> = (value: unknown, source: string) => T

/**
 * Compiles a JSON Schema once; the returned check throws `code` with the first
 * offending field (`/files/3/sha256 must match pattern ...`) and where it came from.
 *
 * @example
 * ```ts
 * const check = compileSchema<{ a: number }>({ type: 'object', required: ['a'] }, 'CONFIG_INVALID', 'Fix the config.')
 * check(JSON.parse(text), 'squizzle.config.json')
 * ```
 */
export function compileSchema<T>(schema: object, code: SquizzleErrorCode, hint: string): SchemaCheck<T> {
  // Compiled on first use: a CLI run that never reads a config or an index pays nothing.
  let validate: ValidateFunction | undefined
  return (value, source) => {
    validate ??= ajv.compile(schema)
    if (validate(value)) return value as T
    const problems = (validate.errors ?? []).map(describeSchemaError)
    throw new SquizzleError(code, `${source}: ${problems[0] ?? 'does not match its schema'}`, {
      hint,
      details: { source, problems },
    })
  }
}

/** One ajv error as `/path problem`, naming an unknown property or the allowed values. */
export function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath
  if (error.keyword === 'additionalProperties') {
    return `${where} has an unknown property "${String(error.params['additionalProperty'])}"`
  }
  if (error.keyword === 'enum') {
    return `${where} must be one of ${JSON.stringify(error.params['allowedValues'])}`
  }
  return `${where} ${error.message ?? 'is invalid'}`
}
