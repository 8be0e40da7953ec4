import { execFileSync } from 'node:child_process'
import { open, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isSquizzleError, verifyVersion, type ArtifactRef, type ArtifactStorage } from '@squizzle/core'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage } from '../src/index.js'
import { drain, tempLayout, type TempLayout } from './helpers.js'

const hasMkfifo = (() => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/** Settles `work` or gives up after `ms`: a hang is a test failure, never a stuck suite. */
async function within(ms: number, work: () => Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('still waiting'), ms)))
  try {
    return await Promise.race([
      work().then(
        () => 'no error',
        (err: unknown) => err,
      ),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Replaces `file` with a FIFO nobody writes to. */
async function fifoInPlaceOf(file: string): Promise<void> {
  await rm(file)
  execFileSync('mkfifo', [file])
}

/** Opening the FIFO read-write (which never blocks on Linux) releases a reader stuck in open(2). */
async function release(fifo: string): Promise<void> {
  const handle = await open(fifo, 'r+').catch(() => undefined)
  await handle?.close()
}

describe.skipIf(!hasMkfifo)('non-regular files in an OCI layout', () => {
  let tmp: TempLayout
  let storage: ArtifactStorage
  let ref: ArtifactRef
  const unblock: string[] = []
  beforeEach(async () => {
    tmp = await tempLayout()
    storage = createFilesystemStorage(tmp.layout)
    ref = await storage.push(await makeTestVersion('1.0.0', { 'migrations/001_users.sql': 'CREATE TABLE users ();' }))
  })
  afterEach(async () => {
    for (const fifo of unblock.splice(0)) await release(fifo)
    await tmp.cleanup()
  })

  const expectUnsafe = (outcome: unknown) => {
    expect(outcome, 'the operation must settle, not hang on the FIFO').not.toBe('still waiting')
    expect(isSquizzleError(outcome) ? outcome.code : outcome).toBe('STORAGE_UNSAFE')
  }

  it('refuses a FIFO in place of the bundle blob (STORAGE_UNSAFE): pull and verify settle, not hang', async () => {
    const fifo = tmp.blob(ref.bundleDigest)
    await fifoInPlaceOf(fifo)
    unblock.push(fifo)
    expectUnsafe(await within(10_000, async () => drain((await storage.pull('1.0.0')).open())))
    expectUnsafe(await within(10_000, () => verifyVersion(createFilesystemStorage(tmp.layout), '1.0.0')))
  })

  it('refuses a FIFO in place of the manifest or config blob', async () => {
    const manifest = JSON.parse(await readFile(tmp.blob(ref.digest), 'utf8')) as { config: { digest: string } }
    const config = tmp.blob(manifest.config.digest)
    await fifoInPlaceOf(config)
    unblock.push(config)
    expectUnsafe(await within(10_000, () => storage.pull('1.0.0')))
    const image = tmp.blob(ref.digest)
    await fifoInPlaceOf(image)
    unblock.push(image)
    expectUnsafe(await within(10_000, () => storage.pull('1.0.0')))
  })

  it('refuses a FIFO in place of index.json or oci-layout', async () => {
    const index = join(tmp.layout, 'index.json')
    await fifoInPlaceOf(index)
    unblock.push(index)
    expectUnsafe(await within(10_000, () => storage.list()))
    expectUnsafe(await within(10_000, () => storage.pull('1.0.0')))
    const layoutFile = join(tmp.layout, 'oci-layout')
    await fifoInPlaceOf(layoutFile)
    unblock.push(layoutFile)
    expectUnsafe(await within(10_000, async () => storage.push(await makeTestVersion('1.1.0'))))
  })

  it('refuses a directory in place of a blob with STORAGE_UNSAFE', async () => {
    await rm(tmp.blob(ref.bundleDigest))
    execFileSync('mkdir', [tmp.blob(ref.bundleDigest)])
    expectUnsafe(await within(10_000, async () => drain((await storage.pull('1.0.0')).open())))
  })

  it('names the local file and says "detected in storage" when a stored blob differs from its digest', async () => {
    const file = tmp.blob(ref.bundleDigest)
    const bytes = await readFile(file)
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff
    await writeFile(file, bytes)
    const err = await drain((await storage.pull('1.0.0')).open()).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isSquizzleError(err) ? err.code : err).toBe('DIGEST_MISMATCH')
    const details = (err as { details: Record<string, unknown> }).details
    expect(details).toMatchObject({ detectedIn: 'storage', path: file, digest: ref.bundleDigest })
    expect((err as Error).message).toContain(tmp.layout)
  })
})
