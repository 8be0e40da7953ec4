import { Ajv } from 'ajv'
import type { SquizzleErrorCode } from '../errors/error-codes.js'
import { schemaCheck, type SchemaCheck } from './schema-check.js'

export type { SchemaCheck } from './schema-check.js'
export { describeSchemaError } from './schema-check.js'

// Created on the first compile: Squizzle's own schemas are precompiled (validators/, one module each).
let ajv: Ajv | undefined

/**
 * Compiles a JSON Schema once, on first use; the returned check throws `code` with the first
 * offending field (`/files/3/sha256 must match pattern ...`) and where it came from.
 * For schemas known at build time, prefer precompiled validators (see scripts/generate-validators.mjs).
 *
 * @example
 * ```ts
 * const check = compileSchema<{ a: number }>({ type: 'object', required: ['a'] }, 'CONFIG_INVALID', 'Fix the config.')
 * check(JSON.parse(text), 'squizzle.config.json')
 * ```
 */
export function compileSchema<T>(schema: object, code: SquizzleErrorCode, hint: string): SchemaCheck<T> {
  const compile = () =>
    (ajv ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true })).compile(schema)
  return schemaCheck<T>(compile, code, hint)
}
