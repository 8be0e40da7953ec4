import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mediaTypes } from '@squizzle/core/oci'
import { OciRegistryTarget, parseRegistryUrl } from '../src/index.js'

// LOOPBACK STAND-IN, NOT A REGISTRY: distribution 2.8 (the real registry in the other tests) has
// no referrers API and ignores tag paging, so these two protocol paths are exercised against a
// small HTTP server implementing just `GET /v2/<name>/referrers/<digest>` and paged `tags/list`.
const subject = `sha256:${'a'.repeat(64)}`
const referrer = (n: number) => ({
  mediaType: mediaTypes.imageManifest,
  digest: `sha256:${String(n).repeat(64)}`,
  size: 100 + n,
  artifactType: 'application/vnd.cyclonedx+json',
})
const tags = ['1.0.0', '1.1.0', '1.2.0', 'latest', '2.0.0']

describe('referrers API and tag paging (loopback stand-in server)', () => {
  let server: Server
  let base: string
  const requests: string[] = []
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      requests.push(`${req.method} ${url.pathname}${url.search}`)
      if (url.pathname === `/v2/with/referrers/referrers/${subject}`) {
        const page = url.searchParams.get('page') === '2' ? [referrer(2)] : [referrer(1)]
        const headers: Record<string, string> = { 'content-type': mediaTypes.imageIndex }
        if (url.searchParams.get('page') !== '2')
          headers['link'] = `</v2/with/referrers/referrers/${subject}?page=2>; rel="next"`
        res
          .writeHead(200, headers)
          .end(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.imageIndex, manifests: page }))
        return
      }
      if (url.pathname === '/v2/with/referrers/tags/list') {
        const n = Number(url.searchParams.get('n'))
        const last = url.searchParams.get('last')
        const start = last ? tags.indexOf(last) + 1 : 0
        const page = tags.slice(start, start + n)
        const headers: Record<string, string> = { 'content-type': 'application/json' }
        if (start + n < tags.length)
          headers['link'] = `</v2/with/referrers/tags/list?n=${n}&last=${page.at(-1)}>; rel="next"`
        res.writeHead(200, headers).end(JSON.stringify({ name: 'with/referrers', tags: page }))
        return
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('lists referrers from the API, following Link pages', async () => {
    const target = new OciRegistryTarget(parseRegistryUrl(`oci://${base}/with/referrers?plain-http=true`))
    expect(await target.referrers(subject)).toEqual([referrer(1), referrer(2)])
  })

  it('reports a registry without the API (404) as null, so core uses the fallback tag', async () => {
    const target = new OciRegistryTarget(parseRegistryUrl(`oci://${base}/without/api?plain-http=true`))
    expect(await target.referrers(subject)).toBeNull()
  })

  it('follows tag list pages with n, last and Link', async () => {
    requests.length = 0
    const target = new OciRegistryTarget(parseRegistryUrl(`oci://${base}/with/referrers?plain-http=true`), {
      tagPageSize: 2,
    })
    const seen: string[] = []
    for await (const tag of target.tags()) seen.push(tag)
    expect(seen).toEqual(tags)
    expect(requests).toEqual([
      'GET /v2/with/referrers/tags/list?n=2',
      'GET /v2/with/referrers/tags/list?n=2&last=1.1.0',
      'GET /v2/with/referrers/tags/list?n=2&last=latest',
    ])
  })
})
