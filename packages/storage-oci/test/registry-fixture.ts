import { randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'
import { afterAll } from 'vitest'
import { findRegistryBinary, startTestRegistry, type RegistryAuthMode, type TestRegistry } from '@squizzle/testkit'
import { createOciStorage, type OciStorageOptions } from '../src/index.js'

const inCi = Boolean(process.env['CI'])

/** True when the real registry can run here; outside CI a missing binary skips loudly, in CI it fails. */
export const registryAvailable = findRegistryBinary() !== null
if (!registryAvailable && !inCi) {
  console.warn(
    '\n*** docker-registry is not on PATH: SKIPPING the registry tests (apt-get install docker-registry). In CI they fail instead. ***\n',
  )
}
/** Use as `describe.skipIf(skipRegistry)`: never skips under CI=true, so a missing registry fails there. */
export const skipRegistry = !registryAvailable && !inCi

/**
 * One registry per mode per test file, started on first use and stopped after the file.
 *
 * @example
 * ```ts
 * const registry = await sharedRegistry('basic')
 * ```
 */
const started = new Map<RegistryAuthMode, Promise<TestRegistry>>()
export function sharedRegistry(mode: RegistryAuthMode): Promise<TestRegistry> {
  let registry = started.get(mode)
  if (!registry) {
    registry = startTestRegistry(mode)
    started.set(mode, registry)
  }
  return registry
}
afterAll(async () => {
  for (const registry of started.values()) await (await registry.catch(() => undefined))?.stop()
  started.clear()
})

/** A fresh repository name, so tests never see each other's tags. */
export function freshRepository(prefix = 'mig'): string {
  return `${prefix}/t${randomBytes(6).toString('hex')}`
}

/** Fast retries so fault tests finish quickly. */
export const quickRetries: OciStorageOptions['retry'] = {
  maxAttempts: 3,
  baseDelayMs: 20,
  maxDelayMs: 200,
  maxElapsedMs: 5_000,
}

/** A storage on a fresh repository of `registry`, with its credentials. */
export function storageIn(registry: TestRegistry, options: OciStorageOptions = {}, repository = freshRepository()) {
  return createOciStorage(registry.url(repository), {
    ...(registry.credentials ? { credentials: registry.credentials } : {}),
    ...options,
  })
}

/** Flips one byte in the middle of a stored blob, keeping its size. */
export async function corruptBlob(registry: TestRegistry, digest: string): Promise<void> {
  const file = await open(registry.blobPath(digest), 'r+')
  try {
    const { size } = await file.stat()
    const byte = Buffer.alloc(1)
    await file.read(byte, 0, 1, Math.floor(size / 2))
    byte[0] = (byte[0] ?? 0) ^ 0xff
    await file.write(byte, 0, 1, Math.floor(size / 2))
  } finally {
    await file.close()
  }
}
