import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createConsoleServer, type ConsoleServer } from '../src/index.js'
import { ciEnv, releaseFixture, type ReleaseFixture } from './support/releases.js'
import { applyTo, databaseWithPassword, dbPassword, postgresTarget } from './support/targets.js'

const token = 'tok-console-9f8e7d6c5b4a'
const hostileNote = '<script>alert("notes")</script> & <img src=x onerror=alert(1)>'

let fx: ReleaseFixture
let url: string
let open: ConsoleServer
let guarded: ConsoleServer

const get = (server: ConsoleServer, path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers, redirect: 'manual' })
const json = async (path: string) => {
  const res = await get(open, path)
  return { status: res.status, body: (await res.json()) as Record<string, any> }
}

beforeAll(async () => {
  const serverUrl = inject('postgresUrl')
  fx = await releaseFixture(serverUrl, [
    {
      version: '1.0.0',
      files: { 'migrations/001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY, email text);' },
      author: 'ana',
    },
    {
      version: '1.1.0',
      files: {
        'migrations/002_orders.sql':
          'CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n' +
          'CREATE INDEX orders_user ON orders (user_id);',
      },
      notes: hostileNote,
      author: 'bo',
    },
    {
      version: '1.2.0',
      files: { 'migrations/003_notes.sql': 'ALTER TABLE users ADD COLUMN note text;' },
      signed: false,
    },
  ])
  url = await databaseWithPassword(serverUrl)
  await applyTo(url, fx.storage, fx.policy, '1.1.0')
  const broken = new URL(url)
  broken.port = '1'
  const targets = [postgresTarget('staging', url), postgresTarget('broken', broken.toString())]
  const common = { storage: fx.storage, policy: fx.policy, targets, secrets: [dbPassword], port: 0 }
  open = await createConsoleServer(common)
  guarded = await createConsoleServer({ ...common, token })
})
afterAll(async () => {
  await open?.close()
  await guarded?.close()
  await fx?.dispose()
})

describe('JSON endpoints', () => {
  it('lists releases newest first with digest, notes, author, files and the verified signer', async () => {
    const { status, body } = await json('/api/releases')
    expect(status).toBe(200)
    expect(body).toMatchObject({ total: 3, page: 1, pages: 1 })
    expect(body['releases'].map((r: any) => [r.version, r.signature.status])).toEqual([
      ['1.2.0', 'unsigned'],
      ['1.1.0', 'verified'],
      ['1.0.0', 'verified'],
    ])
    const r = body['releases'][1]
    expect(r).toMatchObject({ notes: hostileNote, author: 'bo', files: 1, previousVersion: '1.0.0' })
    expect(r.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(r.signature.signer).toMatchObject({ method: 'key', subject: fx.keyId })
  })

  it('describes a release: files, signer, SBOM, provenance and the schema diff to the previous version', async () => {
    const { status, body } = await json('/api/releases/1.1.0')
    expect(status).toBe(200)
    expect(body['integrity']).toEqual({ ok: true, code: null, message: null })
    expect(body['fileList'].map((f: any) => f.path)).toContain('migrations/002_orders.sql')
    expect(body['provenance']).toMatchObject({
      signed: true,
      commit: ciEnv.GITHUB_SHA,
      repository: 'git+https://github.com/acme/shop',
    })
    expect(body['provenance'].builder).toContain('release.yml')
    expect(body['sbom'].components).toBeGreaterThan(0)
    expect(body['diff'].from).toBe('1.0.0')
    const added = body['diff'].schema.filter((d: any) => d.change === 'added').map((d: any) => `${d.kind} ${d.name}`)
    expect(added).toEqual(expect.arrayContaining(['table public.orders', 'index public.orders_user']))
  })

  it('serves the schema snapshot of a version', async () => {
    const { body } = await json('/api/releases/1.0.0/schema')
    const names = body['snapshot'].objects.map((o: any) => `${o.kind} ${o.name}`)
    expect(names).toEqual(expect.arrayContaining(['table public.users', 'column public.users.email']))
  })

  it('reports each target with its version grid, counts and lock, and an unreachable one with its error', async () => {
    const { body } = await json('/api/targets')
    expect(body['versions']).toEqual(['1.2.0', '1.1.0', '1.0.0'])
    const [staging, broken] = body['targets']
    expect(staging).toMatchObject({ name: 'staging', current: '1.1.0', error: null, lock: null })
    expect(staging.versions).toEqual({ '1.0.0': 'applied', '1.1.0': 'applied', '1.2.0': 'pending' })
    expect(staging.counts).toMatchObject({ applied: 2, pending: 1, failed: 0, drifted: 0 })
    expect(staging.drift.status).toBe('clean')
    expect(broken.error.code).toBe('CONNECTION_FAILED')
  })

  it('gives a target its run history: who, when, digest and duration', async () => {
    const { body } = await json('/api/targets/staging')
    expect(body['history'].map((h: any) => [h.operation, h.version, h.status, h.actor])).toEqual([
      ['apply', '1.1.0', 'success', 'deploy-bot'],
      ['apply', '1.0.0', 'success', 'deploy-bot'],
    ])
    expect(body['history'][0].digest).toMatch(/^sha256:/)
    expect(typeof body['history'][0].durationMs).toBe('number')
  })

  it('names the lock holder and since when while another session holds the migration lock', async () => {
    const { PostgresDriver } = await import('@squizzle/driver-postgres')
    const holder = new PostgresDriver({ url, applicationName: 'deploy job 42' })
    await holder.connect()
    try {
      const lock = await holder.lock({ timeoutMs: 10_000 })
      const { body } = await json('/api/targets/staging')
      expect(body['lock'].applicationName).toContain('deploy job 42')
      expect(typeof body['lock'].pid).toBe('number')
      expect(Number.isNaN(Date.parse(body['lock'].since))).toBe(false)
      const page = await (await get(open, '/targets/staging')).text()
      expect(page).toContain('deploy job 42')
      await lock.release()
    } finally {
      await holder.close()
    }
    expect((await json('/api/targets/staging')).body['lock']).toBeNull()
  })

  it('answers 404 for unknown versions, targets and addresses, as JSON and as a page', async () => {
    for (const path of ['/api/releases/9.9.9', '/api/releases/9.9.9/schema', '/api/releases/..%2F..%2Fetc']) {
      const { status, body } = await json(path)
      expect([path, status, body['error'].code]).toEqual([path, 404, 'VERSION_NOT_FOUND'])
    }
    expect((await json('/api/targets/nowhere')).body).toMatchObject({ error: { code: 'TARGET_NOT_FOUND' } })
    expect((await json('/api/nothing/here')).status).toBe(404)
    const page = await get(open, '/releases/9.9.9')
    expect(page.status).toBe(404)
    expect(await page.text()).toContain('version 9.9.9 is not stored')
  })

  it('escapes untrusted text and sends a strict Content-Security-Policy', async () => {
    const res = await get(open, '/releases/1.1.0')
    const page = await res.text()
    expect(page).toContain('&lt;script&gt;alert(&quot;notes&quot;)&lt;/script&gt;')
    expect(page).not.toContain('<script>alert')
    expect(page).not.toContain('<img src=x')
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('refuses to change anything', async () => {
    const res = await fetch(`${open.url}/api/releases`, { method: 'POST' })
    expect(res.status).toBe(405)
  })
})

describe('secrets and access', () => {
  const paths = [
    '/releases',
    '/releases/1.1.0',
    '/releases/1.0.0/schema',
    '/targets',
    '/targets/staging',
    '/targets/broken',
    '/api',
    '/api/releases',
    '/api/releases/1.1.0',
    '/api/targets',
    '/api/targets/staging',
    '/api/targets/broken',
    '/api/pulse',
  ]

  it('never shows the database password or the token, on any page or endpoint', async () => {
    for (const path of paths) {
      for (const [server, headers] of [
        [open, {}],
        [guarded, { authorization: `Bearer ${token}` }],
      ] as const) {
        const res = await get(server, path, headers)
        expect([path, res.status]).toEqual([path, 200])
        const text = await res.text()
        expect(text).not.toContain(dbPassword)
        expect(text).not.toContain(token)
      }
    }
    expect(await (await get(open, '/targets')).text()).toContain('console_reader:***@')
  })

  it('binds to loopback by default and refuses a non-loopback host without a token', async () => {
    expect(open.host).toBe('127.0.0.1')
    expect(open.server.address()).toMatchObject({ address: '127.0.0.1' })
    await expect(createConsoleServer({ storage: fx.storage, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
      code: 'USAGE',
    })
  })

  it('refuses a request for another host name (DNS rebinding) when it has no token', async () => {
    const { request } = await import('node:http')
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${open.url}/api/releases`, { headers: { host: 'attacker.example:80' } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(403)
  })

  it('requires the token when set, compared exactly, and takes it once from the address as a cookie', async () => {
    expect((await get(guarded, '/api/releases')).status).toBe(401)
    expect((await get(guarded, '/releases')).status).toBe(401)
    expect((await get(guarded, '/api/releases', { authorization: `Bearer ${token}x` })).status).toBe(401)
    expect((await get(guarded, '/api/releases', { authorization: `Bearer ${token}` })).status).toBe(200)
    const login = await get(guarded, `/releases?token=${token}`)
    expect(login.status).toBe(303)
    expect(login.headers.get('location')).toBe('/releases')
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!
    expect(login.headers.get('set-cookie')).toContain('HttpOnly')
    expect((await get(guarded, '/releases', { cookie })).status).toBe(200)
    expect((await get(guarded, '/releases?token=wrong')).status).toBe(401)
  })
})
