import YAML from 'yaml'

/**
 * Parses YAML text (a config file). In a module of its own so the YAML parser is
 * loaded only for YAML configs.
 *
 * @example
 * ```ts
 * parseYaml('storage: file:.squizzle/artifacts') // { storage: 'file:.squizzle/artifacts' }
 * ```
 */
export function parseYaml(text: string): unknown {
  return YAML.parse(text)
}
