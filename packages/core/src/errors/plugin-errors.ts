import type { ErrorCategory } from './error-codes.js'
import { SquizzleError, type PluginErrorCode, type SquizzleErrorOptions } from './squizzle-error.js'

/** A plugin's own errors: the full codes it declared, and a factory of SquizzleErrors carrying them. */
export interface PluginErrors<Name extends string> {
  /** Each declared name's full code, `<namespace>:<NAME>`. */
  readonly codes: { readonly [N in Name]: PluginErrorCode }
  /** A SquizzleError with the code `<namespace>:<name>` and the category declared for it. */
  create(name: Name, message: string, options?: SquizzleErrorOptions): SquizzleError
}

const namespacePattern = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/
const namePattern = /^[A-Z][A-Z0-9_]*$/

/**
 * Declares the error codes of a plugin, each with the category that decides how a
 * front end treats it (the CLI's exit code: usage 2, integrity 3, signature 4, lock 5,
 * failure 1). Codes are namespaced by the plugin (`@acme/squizzle-s3:BUCKET_MISSING`),
 * so they never collide with core's or another plugin's. The errors are SquizzleErrors:
 * `isSquizzleError` recognises them, also across copies of core, and `category` is
 * carried by the error itself. Throws `USAGE` for a namespace or name that is not
 * well-formed (lower-case package-like namespace, upper-case names).
 *
 * @example
 * ```ts
 * const s3Errors = definePluginErrors('@acme/squizzle-s3', { BUCKET_MISSING: 'usage', ACCESS_DENIED: 'failure' })
 * throw s3Errors.create('BUCKET_MISSING', `bucket ${bucket} does not exist`, { hint: 'Create the bucket first.' })
 * ```
 */
export function definePluginErrors<const Categories extends Record<string, ErrorCategory>>(
  namespace: string,
  categories: Categories,
): PluginErrors<Extract<keyof Categories, string>> {
  type Name = Extract<keyof Categories, string>
  if (!namespacePattern.test(namespace)) throw malformed(`plugin error namespace ${JSON.stringify(namespace)}`)
  const codes = {} as Record<Name, PluginErrorCode>
  for (const name of Object.keys(categories) as Name[]) {
    if (!namePattern.test(name)) throw malformed(`plugin error name ${JSON.stringify(name)}`)
    codes[name] = `${namespace}:${name}`
  }
  return {
    codes,
    create(name, message, options = {}) {
      const category = categories[name]
      if (category === undefined) throw malformed(`${JSON.stringify(name)}, not declared by ${namespace},`)
      return new SquizzleError(codes[name], message, { ...options, category })
    },
  }
}

function malformed(what: string): SquizzleError {
  return new SquizzleError('USAGE', `${what} is not a valid plugin error code part`, {
    hint:
      'Namespace plugin errors by the package name (lower case, e.g. @acme/squizzle-s3) ' +
      'and name them in upper case (BUCKET_MISSING).',
  })
}
