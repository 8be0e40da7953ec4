import { SquizzleError } from '@squizzle/core'
import type { RegistryClient } from './registry-client.js'

/** A page of tag names; far more than the largest page a registry sends. */
const maxTagPageBytes = 4 * 1024 * 1024

/**
 * Every tag of the repository, page by page (`n`, `last`, following `Link: <…>; rel="next"`).
 * A repository that does not exist yet has no tags. Registries that ignore `n`
 * (distribution 2.8) answer with one page.
 *
 * @example
 * ```ts
 * for await (const tag of listTags(client, 1000)) console.log(tag)
 * ```
 */
export async function* listTags(client: RegistryClient, pageSize: number): AsyncGenerator<string> {
  let path: string | undefined = `tags/list?n=${pageSize}`
  while (path) {
    const res = await client.send('list tags', 'pull', { method: 'GET', path, headers: { accept: 'application/json' } })
    if (res.status === 404) {
      await res.discard()
      return
    }
    if (res.status !== 200) throw await client.error(res, 'list tags')
    const body = parseTagPage(await client.readBody(res, 'list tags', maxTagPageBytes), client)
    const tags = Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : []
    for (const tag of tags) yield tag
    // The spec announces every further page with Link; without one, this was the last page.
    path = nextLink(res.headers.get('link'))
  }
}

function parseTagPage(bytes: Buffer, client: RegistryClient): { tags?: unknown } {
  try {
    const page = JSON.parse(bytes.toString('utf8')) as unknown
    return typeof page === 'object' && page !== null ? (page as { tags?: unknown }) : {}
  } catch (cause) {
    const { registry, repository } = client.location
    throw new SquizzleError('STORAGE_ERROR', `list tags on ${registry}/${repository}: the answer is not JSON`, {
      hint: 'The registry (or a proxy in front of it) does not follow the distribution spec; check the URL.',
      cause,
      details: { registry, repository, operation: 'list tags' },
    })
  }
}

/**
 * The `rel="next"` target of a `Link` header, if any.
 *
 * @example
 * ```ts
 * nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"') // '/v2/a/tags/list?n=2&last=b'
 * ```
 */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part)
    if (match) return match[1]
  }
  return undefined
}
