import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import { isSquizzleError } from '@squizzle/core'
import { makeTestVersion, type TestVersion } from '@squizzle/core/testing'

/** Asserts that `promise` rejects with a SquizzleError of `code`; returns the error. */
export async function expectCode(
  promise: Promise<unknown>,
  code: string,
): Promise<Error & { code: string; hint?: string; details?: unknown }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err, `expected a rejection with ${code}`).toBeDefined()
  expect(isSquizzleError(err) ? err.code : err).toBe(code)
  return err as Error & { code: string }
}

/** A version whose bundle is about `kib` KiB of incompressible SQL, so uploads take several chunks. */
export async function largeVersion(version: string, kib: number): Promise<TestVersion> {
  const lines: string[] = []
  for (let i = 0; i < kib * 8; i++) lines.push(`INSERT INTO blobs VALUES ('${randomBytes(48).toString('base64')}');`)
  return makeTestVersion(version, { 'migrations/001_blobs.sql': `CREATE TABLE blobs (v text);\n${lines.join('\n')}\n` })
}

/** Reads a stream to its end; rejects with its error. */
export async function drain(stream: AsyncIterable<Buffer>): Promise<number> {
  let size = 0
  for await (const chunk of stream) size += chunk.length
  return size
}

/** Everything about an error a user or a log could see. */
export function visibleText(err: unknown): string {
  const e = err as { message?: string; hint?: string; details?: unknown; stack?: string }
  return `${e.message ?? ''}\n${e.hint ?? ''}\n${JSON.stringify(e.details ?? {})}\n${e.stack ?? ''}`
}
