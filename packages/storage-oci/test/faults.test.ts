import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { copyVersion, createTargetStorage } from '@squizzle/core'
import { OciLayoutTarget } from '@squizzle/storage-filesystem'
import { makeTestVersion } from '@squizzle/core/testing'
import { startFaultProxy, startTestRegistry, type FaultProxy, type TestRegistry } from '@squizzle/testkit'
import { createOciStorage } from '../src/index.js'
import { drain, expectCode, largeVersion, visibleText } from './helpers.js'
import { freshRepository, quickRetries, skipRegistry } from './registry-fixture.js'

// Faults injected by a loopback proxy in front of the real registry (the registry and its
// storage are real; the proxy only drops, fails, cuts or flips what passes through it).
describe.skipIf(skipRegistry)('faults between storage-oci and a real registry', () => {
  let registry: TestRegistry
  let proxy: FaultProxy
  let dir: string
  const chunkSize = 64 * 1024

  beforeAll(async () => {
    registry = await startTestRegistry('basic')
    proxy = await startFaultProxy(registry.host)
    dir = await mkdtemp(join(tmpdir(), 'squizzle-oci-faults-'))
  })
  afterAll(async () => {
    await proxy?.close()
    await registry?.stop()
    await rm(dir, { recursive: true, force: true })
  })
  afterEach(() => proxy.setRule(() => ({ kind: 'forward' })))

  const direct = (repository: string) =>
    createOciStorage(registry.url(repository), { credentials: registry.credentials! })
  const viaProxy = (repository: string) =>
    createOciStorage(proxy.url(repository), { credentials: registry.credentials!, retry: quickRetries, chunkSize })

  it('a registry stopped mid-push gives REGISTRY_UNAVAILABLE naming registry and repository, and no version appears', async () => {
    const repository = freshRepository()
    const version = await largeVersion('1.0.0', 512)
    proxy.setRule(async ({ method, index }) => {
      if (method === 'PATCH' && index === 3) await registry.kill()
      return { kind: 'forward' }
    })
    const err = await expectCode(viaProxy(repository).push(version), 'REGISTRY_UNAVAILABLE')
    expect(err.message).toContain(proxy.host)
    expect(err.message).toContain(repository)
    expect(err.message).toMatch(/upload blob sha256:/)
    await registry.start()
    expect(await direct(repository).exists('1.0.0')).toBe(false)
    expect(await direct(repository).list()).toEqual([])
  })

  it("a 500 on one streamed chunk fails the push with the registry's error and no version; pushing again completes", async () => {
    const repository = freshRepository()
    const version = await largeVersion('1.0.0', 512)
    proxy.setRule(({ method, index }) =>
      method === 'PATCH' && index === 2 ? { kind: 'status', status: 500 } : { kind: 'forward' },
    )
    const err = await expectCode(viaProxy(repository).push(version), 'REGISTRY_UNAVAILABLE')
    expect(err.message).toContain('injected 500')
    expect(err.message).toMatch(/chunk at byte \d+/)
    expect(err.message).toContain(repository)
    expect(err.hint).toMatch(/push again/)
    expect(await direct(repository).exists('1.0.0')).toBe(false)

    proxy.setRule(() => ({ kind: 'forward' }))
    const ref = await viaProxy(repository).push(version)
    const pulled = await direct(repository).pull('1.0.0')
    expect(pulled.ref.digest).toBe(ref.digest)
    expect(await drain(pulled.open())).toBe(version.bundle.byteLength)
  })

  it("retries a request whose body is in memory (a small blob's PUT) after a 503, and the push completes", async () => {
    const repository = freshRepository()
    proxy.setRule(({ method, index }) =>
      method === 'PUT' && index === 1 ? { kind: 'status', status: 503 } : { kind: 'forward' },
    )
    const before = proxy.seen.length
    await viaProxy(repository).push(await makeTestVersion('1.0.0'))
    expect(proxy.seen.slice(before).filter((s) => s.startsWith('PUT')).length).toBe(5) // 503, then config, layer, manifest, tag
    expect(await direct(repository).exists('1.0.0')).toBe(true)
  })

  it('a request that keeps failing with 500 ends, within the retry budget, in REGISTRY_UNAVAILABLE; nothing is tagged', async () => {
    const repository = freshRepository()
    proxy.setRule(({ method }) => (method === 'POST' ? { kind: 'status', status: 500 } : { kind: 'forward' }))
    const before = proxy.seen.length
    const err = await expectCode(viaProxy(repository).push(await makeTestVersion('1.0.0')), 'REGISTRY_UNAVAILABLE')
    expect(err.message).toContain('injected 500')
    expect(proxy.seen.slice(before).filter((s) => s.startsWith('POST')).length).toBe(quickRetries!.maxAttempts)
    expect(await direct(repository).exists('1.0.0')).toBe(false)
  })

  it('honours 429 with Retry-After and then succeeds', async () => {
    const repository = freshRepository()
    proxy.setRule(({ method, index }) =>
      method === 'POST' && index === 1
        ? { kind: 'status', status: 429, headers: { 'retry-after': '1' } }
        : { kind: 'forward' },
    )
    const before = proxy.seen.length
    await viaProxy(repository).push(await makeTestVersion('1.0.0'))
    expect(proxy.seen.slice(before).filter((s) => s.startsWith('POST')).length).toBe(3) // 429, then config and layer uploads
    expect(await direct(repository).exists('1.0.0')).toBe(true)
  })

  it('a download cut off and refused on every resume fails the bundle stream; a pull leaves no version', async () => {
    const repository = freshRepository()
    const ref = await direct(repository).push(await largeVersion('1.0.0', 256))
    const blob = `/blobs/${ref.bundleDigest}`
    proxy.setRule(({ method, path, headers }) => {
      if (method !== 'GET' || !path.includes(blob)) return { kind: 'forward' }
      return headers['range'] ? { kind: 'reset' } : { kind: 'truncate' }
    })
    const storage = viaProxy(repository)
    const pulled = await storage.pull('1.0.0')
    const err = await expectCode(drain(pulled.open()), 'REGISTRY_UNAVAILABLE')
    expect(err.message).toContain(repository)
    const layout = new OciLayoutTarget(join(dir, 'truncated'))
    await expectCode(copyVersion(storage.target, layout, '1.0.0'), 'REGISTRY_UNAVAILABLE')
    expect(await createTargetStorage(layout).list()).toEqual([])
  })

  it('a blob whose bytes do not match its digest fails with DIGEST_MISMATCH, and a pull into a layout leaves no version', async () => {
    const repository = freshRepository()
    const ref = await direct(repository).push(await largeVersion('1.0.0', 128))
    proxy.setRule(({ method, path }) =>
      method === 'GET' && path.includes(`/blobs/${ref.bundleDigest}`) ? { kind: 'corrupt' } : { kind: 'forward' },
    )
    const storage = viaProxy(repository)
    await expectCode(drain((await storage.pull('1.0.0')).open()), 'DIGEST_MISMATCH')
    const layout = new OciLayoutTarget(join(dir, 'corrupt'))
    await expectCode(copyVersion(storage.target, layout, '1.0.0'), 'DIGEST_MISMATCH')
    expect(await createTargetStorage(layout).list()).toEqual([])
  })

  it('the registry refuses an upload whose bytes do not match the digest (DIGEST_MISMATCH), nothing is tagged', async () => {
    const repository = freshRepository()
    const storage = direct(repository)
    const version = await makeTestVersion('1.0.0')
    const wrong = {
      mediaType: 'application/vnd.squizzle.bundle.v1.tar+gzip',
      digest: `sha256:${'0'.repeat(64)}`,
      size: version.bundle.byteLength,
    }
    const err = await expectCode(storage.target.push(wrong, version.bundle), 'DIGEST_MISMATCH')
    expect(err.message).toContain('DIGEST_INVALID')
    expect(await storage.list()).toEqual([])
  })

  it('never shows the password or the Basic header in errors, whatever fails', async () => {
    const repository = freshRepository()
    const { password, username } = registry.credentials!
    const basic = Buffer.from(`${username}:${password}`).toString('base64')
    proxy.setRule(({ method }) =>
      method === 'PATCH' || method === 'PUT' ? { kind: 'status', status: 503 } : { kind: 'forward' },
    )
    const failures = [
      await viaProxy(repository)
        .push(await largeVersion('1.0.0', 256))
        .catch((e: unknown) => e),
      await createOciStorage(registry.url(repository), { credentials: { username, password: `${password}-wrong` } })
        .list()
        .catch((e: unknown) => e),
    ]
    for (const err of failures) {
      expect(err).toBeInstanceOf(Error)
      const text = visibleText(err)
      expect(text).not.toContain(password)
      expect(text).not.toContain(basic)
      expect(text.toLowerCase()).not.toContain('authorization')
    }
  })
})
