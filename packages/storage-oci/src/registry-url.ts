import { SquizzleError } from '@squizzle/core'

/** Where a repository lives: what `oci://HOST[:PORT]/REPO` names. */
export interface RegistryLocation {
  /** `host[:port]` as written, used for credentials lookup and messages (`ghcr.io`, `127.0.0.1:5000`). */
  registry: string
  /** Repository path inside the registry (`acme/db-migrations`). */
  repository: string
  /** `https://host[:port]`, or `http://` only when plain HTTP was asked for explicitly. */
  baseUrl: string
  plainHttp: boolean
}

// distribution spec: path components of lower-case alphanumerics joined by `.`, `_`, `__` or `-`s.
const repositoryPattern = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/
const hostPattern = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?)(?::\d{1,5})?$/

/**
 * Parses `oci://HOST[:PORT]/REPO[?plain-http=true]`. Plain HTTP is used only when
 * `plain-http=true` is in the URL or `options.plainHttp` is set, never by guessing,
 * so nothing is silently downgraded. Credentials in the URL are refused: they would
 * end up in shell history and logs.
 *
 * @example
 * ```ts
 * parseRegistryUrl('oci://ghcr.io/acme/db')
 * // { registry: 'ghcr.io', repository: 'acme/db', baseUrl: 'https://ghcr.io', plainHttp: false }
 * parseRegistryUrl('oci://127.0.0.1:5000/mig/app?plain-http=true').baseUrl // 'http://127.0.0.1:5000'
 * ```
 */
export function parseRegistryUrl(url: string, options: { plainHttp?: boolean } = {}): RegistryLocation {
  const match = /^oci:\/\/([^/?#]+)\/([^?#]+)(?:\?([^#]*))?$/.exec(url)
  if (!match) throw invalid(url, 'expected oci://HOST[:PORT]/REPOSITORY')
  const [, host = '', repository = '', query = ''] = match
  if (host.includes('@')) {
    throw new SquizzleError('STORAGE_URL_INVALID', 'registry URLs must not contain credentials', {
      hint: 'Remove "user:password@" and set SQUIZZLE_REGISTRY_USERNAME / SQUIZZLE_REGISTRY_PASSWORD, or `docker login` the registry.',
    })
  }
  if (!hostPattern.test(host)) throw invalid(url, `"${host}" is not a registry host`)
  const port = /:(\d+)$/.exec(host)?.[1]
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    throw invalid(url, `port ${port} is not a number from 1 to 65535`)
  }
  if (!repositoryPattern.test(repository) || repository.length > 255) {
    throw invalid(
      url,
      `"${repository}" is not a repository name (lower-case letters, digits, ".", "_", "-", separated by "/")`,
    )
  }
  const params = new URLSearchParams(query)
  for (const key of params.keys()) {
    if (key !== 'plain-http') throw invalid(url, `unknown option "${key}" (only plain-http is accepted)`)
  }
  const flag = params.get('plain-http')
  if (flag !== null && flag !== 'true' && flag !== 'false') throw invalid(url, 'plain-http must be true or false')
  const plainHttp = flag === 'true' || options.plainHttp === true
  // Docker Hub's API lives on another host than the name users write.
  const apiHost = host === 'docker.io' || host === 'index.docker.io' ? 'registry-1.docker.io' : host
  return { registry: host, repository, baseUrl: `${plainHttp ? 'http' : 'https'}://${apiHost}`, plainHttp }
}

/**
 * The storage name shown to users: the URL without options.
 *
 * @example
 * ```ts
 * displayName(parseRegistryUrl('oci://ghcr.io/acme/db')) // 'oci://ghcr.io/acme/db'
 * ```
 */
export function displayName(location: RegistryLocation): string {
  return `oci://${location.registry}/${location.repository}`
}

function invalid(url: string, why: string): SquizzleError {
  return new SquizzleError('STORAGE_URL_INVALID', `"${url.slice(0, 200)}" is not a registry URL: ${why}`, {
    hint: 'Use oci://HOST[:PORT]/REPOSITORY, e.g. oci://ghcr.io/acme/db-migrations; add ?plain-http=true only for a registry without TLS.',
  })
}
