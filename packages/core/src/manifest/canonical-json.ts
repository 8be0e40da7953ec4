/**
 * JSON with object keys sorted and no insignificant whitespace, so equal values
 * always serialise to equal bytes (and equal digests).
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2] }) // '{"a":[2],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortKeys(v)
    }
    return out
  }
  return value
}
