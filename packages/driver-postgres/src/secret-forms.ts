/**
 * The ways a secret can appear in text: as written, and percent-encoded the ways
 * URL tools encode it (`encodeURIComponent`, WHATWG userinfo, form encoding), so
 * redacting one list covers a password however it was typed or re-printed.
 * Empty values are dropped; duplicates are removed.
 *
 * @example
 * ```ts
 * secretForms(['p@ss w']) // ['p@ss w', 'p%40ss%20w', 'p%40ss+w']
 * ```
 */
export function secretForms(values: readonly string[]): string[] {
  const forms = new Set<string>()
  for (const value of values) {
    if (value === '') continue
    forms.add(value)
    forms.add(encodeURIComponent(value))
    forms.add(userinfoEncoded(value))
    forms.add(new URLSearchParams({ v: value }).toString().slice(2))
  }
  return [...forms]
}

function userinfoEncoded(value: string): string {
  const url = new URL('postgres://host')
  url.password = value
  return url.password
}
