import { Ajv, type ValidateFunction } from 'ajv'
import { SquizzleError } from '../errors/squizzle-error.js'
import { describeSchemaError } from '../schema/compile-schema.js'
import type { SquizzlePlugin } from './plugin.js'

// Not strict: a plugin's schema is someone else's, and may use keywords (x-…, $comment) ajv's strict mode refuses.
// useDefaults: the `default`s a schema declares are what `create` receives for options left out.
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, allowUnionTypes: true })
const compiled = new WeakMap<object, ValidateFunction>()

/**
 * The plugin's options, validated against its `optionsSchema` (a copy, with the
 * schema's defaults filled in). `PLUGIN_OPTIONS_INVALID` names each offending path
 * (`/table must match pattern …`) in `details.problems`; values are never quoted.
 * `PLUGIN_INVALID` when the schema itself does not compile.
 *
 * @example
 * ```ts
 * const options = pluginOptions(plugin, config.storage.options, 'storage.options')
 * ```
 */
export function pluginOptions<O = Record<string, unknown>>(plugin: SquizzlePlugin, value: unknown, source: string): O {
  const validate = validatorOf(plugin)
  const options: unknown = value === undefined ? {} : structuredClone(value)
  if (validate(options)) return options as O
  const problems = (validate.errors ?? []).map(describeSchemaError)
  throw new SquizzleError(
    'PLUGIN_OPTIONS_INVALID',
    `${source}: ${problems[0] ?? 'invalid'} (options of ${plugin.name})`,
    {
      hint: `Fix the named option; ${plugin.name} documents its options (its optionsSchema).`,
      details: { plugin: plugin.name, source, problems },
    },
  )
}

function validatorOf(plugin: SquizzlePlugin): ValidateFunction {
  const schema = plugin.optionsSchema
  const known = compiled.get(schema)
  if (known) return known
  try {
    const validate = ajv.compile(schema)
    compiled.set(schema, validate)
    return validate
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause)
    throw new SquizzleError(
      'PLUGIN_INVALID',
      `${plugin.name} is not a valid plugin: its optionsSchema does not compile (${why})`,
      {
        hint: `Report it to the authors of ${plugin.name}: optionsSchema must be a valid JSON Schema (draft-07).`,
        details: { plugin: plugin.name, problem: 'optionsSchema does not compile' },
        cause,
      },
    )
  }
}
