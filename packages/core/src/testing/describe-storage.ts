import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readBundle } from '../bundle/bundle-reader.js'
import { verifyVersion } from '../engine/verify-version.js'
import { isSquizzleError } from '../errors/squizzle-error.js'
import { sha256Digest } from '../oci/digest.js'
import type { ArtifactStorage, Attachment, PulledArtifact } from '../storage/artifact-storage.js'
import { makeTestVersion } from './fixtures.js'

/** What a storage factory hands the conformance suite; one fresh, empty storage per test. */
export interface StorageFixture {
  storage: ArtifactStorage
  /** Removes whatever the storage left behind (temp dirs, repositories). */
  cleanup?: () => Promise<void>
  /**
   * Alters the stored bytes of the blob with this digest (the suite passes a
   * bundle layer digest). Without it, the corruption test is skipped.
   */
  corrupt?: (digest: string) => Promise<void>
}

const users = { 'migrations/001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n' }
const orders = {
  'migrations/002_orders.sql': 'CREATE TABLE orders (id int, user_id int REFERENCES users);\n',
  'rollback/002_orders.sql': 'DROP TABLE orders;\n',
}

/**
 * Registers the vitest specification every {@link ArtifactStorage} must meet:
 * round trips, immutability, listing, deletion, attachments, streaming input and
 * tamper detection. Run it against your plugin with a factory that returns a
 * fresh, empty storage each time.
 *
 * @example
 * ```ts
 * import { describeStorage } from '@squizzle/core/testing'
 *
 * describeStorage('my S3 storage', async () => {
 *   const bucket = await createTempBucket()
 *   return { storage: createS3Storage(bucket), cleanup: () => bucket.remove() }
 * })
 * ```
 */
export function describeStorage(name: string, factory: () => Promise<StorageFixture>): void {
  describe(`ArtifactStorage conformance: ${name}`, () => {
    let fixture: StorageFixture
    let storage: ArtifactStorage
    beforeEach(async () => {
      fixture = await factory()
      storage = fixture.storage
    })
    afterEach(async () => {
      await fixture.cleanup?.()
    })

    it('round-trips a pushed version: same manifest, bundle bytes verified file by file', async () => {
      const v = await makeTestVersion('1.0.0', { ...users, ...orders })
      const pushed = await storage.push(v)
      expect(pushed).toMatchObject({
        version: '1.0.0',
        bundleDigest: sha256Digest(v.bundle),
        bundleSize: v.bundle.byteLength,
      })
      expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      const pulled = await storage.pull('1.0.0')
      expect(pulled.manifest).toEqual(v.manifest)
      expect(pulled.ref).toEqual(pushed)
      expect(await readFiles(pulled)).toEqual({ ...users, ...orders })
      const report = await verifyVersion(storage, '1.0.0')
      expect(report).toMatchObject({ version: '1.0.0', digest: pushed.digest, files: 3 })
    })

    it('accepts a bundle streamed as a Readable exactly like the same bytes in memory', async () => {
      const v = await makeTestVersion('1.0.0', users)
      const streamed = await storage.push({ manifest: v.manifest, bundle: Readable.from(chunksOf(v.bundle, 7)) })
      const inMemory = await storage.push(v)
      expect(inMemory).toEqual(streamed)
      expect(await readFiles(await storage.pull('1.0.0'))).toEqual(users)
    })

    it('treats a push of identical content as a no-op returning the same digest', async () => {
      const v = await makeTestVersion('1.0.0', users)
      const first = await storage.push(v)
      const second = await storage.push(await makeTestVersion('1.0.0', users))
      expect(second).toEqual(first)
      expect((await storage.list()).map((i) => i.version)).toEqual(['1.0.0'])
    })

    it('refuses different content for an existing version with IMMUTABLE_VERSION and keeps the original', async () => {
      const original = await makeTestVersion('1.0.0', users)
      const ref = await storage.push(original)
      await expectCode(storage.push(await makeTestVersion('1.0.0', orders)), 'IMMUTABLE_VERSION')
      const pulled = await storage.pull('1.0.0')
      expect(pulled.ref.digest).toBe(ref.digest)
      expect(pulled.manifest).toEqual(original.manifest)
    })

    it('reports whether a version exists', async () => {
      expect(await storage.exists('1.0.0')).toBe(false)
      await storage.push(await makeTestVersion('1.0.0', users))
      expect(await storage.exists('1.0.0')).toBe(true)
      expect(await storage.exists('1.0.1')).toBe(false)
    })

    it('lists every version in semver order with its digest and created time', async () => {
      expect(await storage.list()).toEqual([])
      const versions = ['1.10.0', '1.2.0', '2.0.0', '1.2.0-rc.1', '2.0.0-rc.1']
      const expected = new Map<string, { version: string; digest: string; created: string }>()
      for (const [i, version] of versions.entries()) {
        const created = `2024-01-0${i + 1}T00:00:00.000Z`
        const ref = await storage.push(await makeTestVersion(version, users, { created }))
        expected.set(version, { version, digest: ref.digest, created })
      }
      const order = ['1.2.0-rc.1', '1.2.0', '1.10.0', '2.0.0-rc.1', '2.0.0']
      // `notes` is optional: a storage may list them (display only), see the next test.
      const listed = (await storage.list()).map(({ version, digest, created }) => ({ version, digest, created }))
      expect(listed).toEqual(order.map((v) => expected.get(v)))
    })

    it("lists, if it lists notes at all, each version's own notes (null for none)", async () => {
      await storage.push(await makeTestVersion('1.0.0', users, { notes: 'first: <b>users</b>' }))
      await storage.push(await makeTestVersion('1.1.0', orders))
      for (const v of await storage.list()) {
        if (v.notes === undefined) continue
        expect(v.notes).toBe((await storage.pull(v.version)).manifest.notes ?? null)
      }
    })

    it('throws VERSION_NOT_FOUND when pulling a version it does not hold', async () => {
      await expectCode(storage.pull('9.9.9'), 'VERSION_NOT_FOUND')
      await storage.push(await makeTestVersion('1.0.0', users))
      await expectCode(storage.pull('1.0.1'), 'VERSION_NOT_FOUND')
    })

    it('deletes a version and keeps the others whole, or refuses with STORAGE_UNSUPPORTED', async () => {
      // Same files, so both versions share one bundle layer: deleting one must not break the other.
      await storage.push(await makeTestVersion('1.0.0', users))
      await storage.push(await makeTestVersion('1.1.0', users, { previousVersion: '1.0.0' }))
      const refused = await storage.delete('1.0.0').then(
        () => undefined,
        (err: unknown) => err,
      )
      if (refused !== undefined) {
        expect(codeOf(refused)).toBe('STORAGE_UNSUPPORTED')
        expect(await storage.exists('1.0.0')).toBe(true)
        return
      }
      expect(await storage.exists('1.0.0')).toBe(false)
      await expectCode(storage.pull('1.0.0'), 'VERSION_NOT_FOUND')
      expect((await storage.list()).map((i) => i.version)).toEqual(['1.1.0'])
      expect(await verifyVersion(storage, '1.1.0')).toMatchObject({ version: '1.1.0', files: 1 })
    })

    it('round-trips attachments with their data intact', async (ctx) => {
      if (!storage.attach || !storage.attachments) return ctx.skip('storage has no attachments')
      const ref = await storage.push(await makeTestVersion('1.0.0', users))
      const other = await storage.push(await makeTestVersion('1.1.0', orders))
      const signature: Attachment = {
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        data: Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}'),
        annotations: { 'dev.squizzle.test': 'signature' },
      }
      const sbom: Attachment = {
        artifactType: 'application/vnd.cyclonedx+json',
        mediaType: 'application/vnd.cyclonedx+json',
        data: Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256),
      }
      await storage.attach(ref, signature)
      await storage.attach(ref, sbom)
      const read = await storage.attachments((await storage.pull('1.0.0')).ref)
      expect(read.map((a) => a.artifactType).sort()).toEqual([sbom.artifactType, signature.artifactType].sort())
      for (const sent of [signature, sbom]) {
        const back = read.find((a) => a.artifactType === sent.artifactType)
        expect(back?.mediaType).toBe(sent.mediaType)
        expect(Buffer.from(back?.data ?? []).equals(Buffer.from(sent.data))).toBe(true)
        expect(back?.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      }
      expect(read.find((a) => a.artifactType === signature.artifactType)?.annotations).toMatchObject(
        signature.annotations ?? {},
      )
      expect(await storage.attachments(other)).toEqual([])
    })

    it('detects a corrupted stored bundle when the opened stream is read', async (ctx) => {
      if (!fixture.corrupt) return ctx.skip('factory cannot corrupt stored bytes')
      const ref = await storage.push(await makeTestVersion('1.0.0', { ...users, ...orders }))
      await fixture.corrupt(ref.bundleDigest)
      const readAll = async (): Promise<void> => {
        const pulled = await storage.pull('1.0.0')
        for await (const _chunk of pulled.open()) void _chunk
      }
      await expectCode(readAll(), 'DIGEST_MISMATCH')
    })
  })
}

async function readFiles(pulled: PulledArtifact): Promise<Record<string, string>> {
  const files: Record<string, string> = {}
  await readBundle(pulled.open(), pulled.manifest, {
    onFile: (file, content) => {
      files[file.path] = content.toString('utf8')
    },
  })
  return files
}

function* chunksOf(bytes: Uint8Array, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.byteLength; i += size) yield Buffer.from(bytes.subarray(i, i + size))
}

function codeOf(err: unknown): string {
  return isSquizzleError(err) ? err.code : `not a SquizzleError: ${String(err)}`
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err, `expected a rejection with ${code}`).toBeDefined()
  expect(codeOf(err)).toBe(code)
}
