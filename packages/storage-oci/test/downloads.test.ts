import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { copyVersion, createTargetStorage, type ArtifactRef } from '@squizzle/core'
import { describeBytes } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { OciLayoutTarget } from '@squizzle/storage-filesystem'
import { startFaultProxy, startTestRegistry, type FaultProxy, type TestRegistry } from '@squizzle/testkit'
import { createOciStorage, type RetryPolicy } from '../src/index.js'
import { drain, expectCode, largeVersion } from './helpers.js'
import { freshRepository, quickRetries, skipRegistry } from './registry-fixture.js'

// Downloads and retries against the real registry, through the loopback fault proxy.
describe.skipIf(skipRegistry)('downloads: stalls, cuts, corruption and Retry-After', () => {
  let registry: TestRegistry
  let proxy: FaultProxy
  let dir: string
  beforeAll(async () => {
    registry = await startTestRegistry('basic')
    proxy = await startFaultProxy(registry.host)
    dir = await mkdtemp(join(tmpdir(), 'squizzle-oci-downloads-'))
  })
  afterAll(async () => {
    await proxy?.close()
    await registry?.stop()
    await rm(dir, { recursive: true, force: true })
  })
  afterEach(() => proxy.setRule(() => ({ kind: 'forward' })))

  const credentials = () => registry.credentials!
  const direct = (repository: string) => createOciStorage(registry.url(repository), { credentials: credentials() })
  const viaProxy = (repository: string, retry: Partial<RetryPolicy> = {}) =>
    createOciStorage(proxy.url(repository), { credentials: credentials(), retry: { ...quickRetries, ...retry } })
  const onBlob = (blob: string, method: string, path: string) => method === 'GET' && path.includes(blob)

  /** A version of about 256 KiB in a fresh repository, pushed straight to the registry. */
  async function stored(): Promise<{ repository: string; ref: ArtifactRef; blob: string }> {
    const repository = freshRepository()
    const ref = await direct(repository).push(await largeVersion('1.0.0', 256))
    return { repository, ref, blob: `/blobs/${ref.bundleDigest}` }
  }

  it('a stalled body fails with REGISTRY_TIMEOUT within the idle timeout, not the 300 s headers timeout', async () => {
    const { repository, blob } = await stored()
    proxy.setRule(({ method, path, headers }) => {
      if (!onBlob(blob, method, path)) return { kind: 'forward' }
      return { kind: 'stall', fraction: headers['range'] ? 0 : 0.5 }
    })
    const pulled = await viaProxy(repository, { idleTimeoutMs: 300, maxAttempts: 2 }).pull('1.0.0')
    const started = Date.now()
    const err = await expectCode(drain(pulled.open()), 'REGISTRY_TIMEOUT')
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(err.details).toMatchObject({ registry: proxy.host, repository, idleTimeoutMs: 300 })
  }, 30_000)

  it('a body cut off midway is resumed with a Range request from where it stopped; the whole is verified', async () => {
    const { repository, ref, blob } = await stored()
    proxy.setRule(({ method, path, headers }) => {
      return onBlob(blob, method, path) && !headers['range'] ? { kind: 'truncate' } : { kind: 'forward' }
    })
    const before = proxy.requests.length
    const layout = new OciLayoutTarget(join(dir, 'resumed'))
    expect((await copyVersion(viaProxy(repository).target, layout, '1.0.0')).digest).toBe(ref.digest)
    const ranges = proxy.requests.slice(before).filter((r) => r.url.includes(blob) && r.headers['range'])
    expect(ranges.map((r) => r.headers['range'])).toEqual([expect.stringMatching(/^bytes=[1-9]\d*-$/)])
    expect(await drain((await createTargetStorage(layout).pull('1.0.0')).open())).toBe(ref.bundleSize)
  })

  it('falls back to a full download when the registry ignores Range, skipping what was already read', async () => {
    const { repository, ref, blob } = await stored()
    proxy.setRule(({ method, path, headers }) => {
      if (!onBlob(blob, method, path)) return { kind: 'forward' }
      return headers['range'] ? { kind: 'ignore-range' } : { kind: 'truncate' }
    })
    const before = proxy.requests.length
    expect(await drain((await viaProxy(repository).pull('1.0.0')).open())).toBe(ref.bundleSize)
    expect(proxy.requests.slice(before).filter((r) => r.url.includes(blob)).length).toBe(2)
  })

  it('a download that does not match names registry, repository, operation, and "detected in transit"', async () => {
    const { repository, ref, blob } = await stored()
    proxy.setRule(({ method, path }) => (onBlob(blob, method, path) ? { kind: 'corrupt' } : { kind: 'forward' }))
    const err = await expectCode(drain((await viaProxy(repository).pull('1.0.0')).open()), 'DIGEST_MISMATCH')
    const operation = `download blob ${ref.bundleDigest}`
    const digest = ref.bundleDigest
    expect(err.details).toMatchObject({ registry: proxy.host, repository, operation, digest, detectedIn: 'transit' })
    for (const part of [proxy.host, repository, operation, 'transit']) expect(err.message).toContain(part)
  })

  it('a small blob that fails before anyone reads it reports that to the reader, never as an unhandled error', async () => {
    const repository = freshRepository()
    const blob = describeBytes('application/octet-stream', Buffer.from('{"a small":"blob"}'))
    await direct(repository).target.push(blob, Buffer.from('{"a small":"blob"}'))
    proxy.setRule(({ method, path }) => (onBlob(blob.digest, method, path) ? { kind: 'corrupt' } : { kind: 'forward' }))
    const stream = await viaProxy(repository).target.fetch(blob)
    await new Promise((resolve) => setTimeout(resolve, 300))
    await expectCode(drain(stream), 'DIGEST_MISMATCH')
  })

  it('honours a Retry-After longer than the backoff cap (no silent cap) when it fits in the retry budget', async () => {
    const repository = freshRepository()
    const busy = { kind: 'status', status: 503, headers: { 'retry-after': '2' } } as const
    proxy.setRule(({ method, index }) => (method === 'POST' && index === 1 ? busy : { kind: 'forward' }))
    const started = Date.now()
    await viaProxy(repository, { maxDelayMs: 100, maxElapsedMs: 20_000 }).push(await makeTestVersion('1.0.0'))
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900)
    expect(await direct(repository).exists('1.0.0')).toBe(true)
  })

  it('fails at once, saying how long the registry asked to wait, when Retry-After exceeds the budget', async () => {
    const repository = freshRepository()
    const limited = { kind: 'status', status: 429, headers: { 'retry-after': '30' } } as const
    proxy.setRule(({ method }) => (method === 'POST' ? limited : { kind: 'forward' }))
    const started = Date.now()
    const push = viaProxy(repository, { maxElapsedMs: 2_000 }).push(await makeTestVersion('1.0.0'))
    const err = await expectCode(push, 'REGISTRY_UNAVAILABLE')
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(err.details).toMatchObject({ status: 429, retryAfterMs: 30_000, budgetMs: 2_000, repository })
    expect(err.message).toContain('30 s')
    expect(await direct(repository).exists('1.0.0')).toBe(false)
  })
})
