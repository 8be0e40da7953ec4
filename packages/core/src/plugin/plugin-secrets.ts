import { redactUrl } from '../errors/redact.js'
import type { SquizzlePlugin } from './plugin.js'

/** Option names whose values are secrets whatever the schema says. */
const secretName = /(password|passphrase|passwd|secret|token|credential|api[-_]?key|private[-_]?key|access[-_]?key)/i

type Schema = Record<string, unknown> | undefined
type Leaf = (value: unknown, secret: boolean) => unknown

/**
 * Every secret in a plugin's options, so a host can keep it out of all output: values of
 * options named like password, token or secret, of options the schema marks `writeOnly: true`
 * (and everything under them), and passwords inside URLs.
 *
 * @example
 * ```ts
 * pluginSecrets(plugin, { url: 'postgres://app:s3cret@db/releases', token: 'abc' }) // ['s3cret', 'abc']
 * ```
 */
export function pluginSecrets(plugin: SquizzlePlugin, options: unknown): string[] {
  const found: string[] = []
  mapLeaves(options, plugin.optionsSchema, false, (value, secret) => {
    if (secret && value !== null && value !== undefined) found.push(String(value))
    else if (typeof value === 'string') found.push(...urlPasswords(value))
    return value
  })
  return [...new Set(found.filter((s) => s !== ''))]
}

/**
 * A copy of the options safe to show: secret values (see {@link pluginSecrets}) become
 * `***`, URLs lose their passwords.
 *
 * @example
 * ```ts
 * redactPluginOptions(plugin, { url: 'postgres://app:s3cret@db/x', schema: 'releases' })
 * // { url: 'postgres://app:***@db/x', schema: 'releases' }
 * ```
 */
export function redactPluginOptions(plugin: SquizzlePlugin, options: unknown): unknown {
  return mapLeaves(options, plugin.optionsSchema, false, (value, secret) => {
    if (secret) return '***'
    return typeof value === 'string' ? redactUrl(value) : value
  })
}

function mapLeaves(value: unknown, schema: Schema, secret: boolean, leaf: Leaf): unknown {
  const isSecret = secret || schema?.['writeOnly'] === true
  if (Array.isArray(value)) return value.map((v) => mapLeaves(v, child(schema, 'items'), isSecret, leaf))
  if (typeof value !== 'object' || value === null) return leaf(value, isSecret)
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    out[key] = mapLeaves(v, propertySchema(schema, key), isSecret || secretName.test(key), leaf)
  }
  return out
}

function propertySchema(schema: Schema, key: string): Schema {
  const properties = child(schema, 'properties')
  return child(properties, key) ?? child(schema, 'additionalProperties')
}

function child(schema: Schema, key: string): Schema {
  const value = schema?.[key]
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** The password of a URL with user info, as written and decoded; nothing for other text. */
function urlPasswords(text: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return []
  try {
    const { password } = new URL(text)
    return password === '' ? [] : [password, safeDecode(password)]
  } catch {
    return []
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
