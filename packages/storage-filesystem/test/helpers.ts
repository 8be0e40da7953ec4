import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { expect } from 'vitest'
import { isSquizzleError } from '@squizzle/core'

/** A temporary directory holding `layout/` (not created: the storage creates it lazily). */
export interface TempLayout {
  layout: string
  blob(digest: string): string
  cleanup(): Promise<void>
}

export async function tempLayout(): Promise<TempLayout> {
  const dir = await mkdtemp(join(tmpdir(), 'squizzle-fs-test-'))
  const layout = join(dir, 'layout')
  return {
    layout,
    blob: (digest) => join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

/** Asserts that `promise` rejects with a SquizzleError of `code`; returns the error. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<unknown> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err, `expected a rejection with ${code}`).toBeDefined()
  expect(isSquizzleError(err) ? err.code : err).toBe(code)
  return err
}

export async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown
}

/** Files directly in a directory; empty when it does not exist. */
export async function filesIn(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [])
}

export function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** Consumes a stream to its end; rejects with the stream's error. */
export async function drain(stream: Readable): Promise<number> {
  let size = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) size += chunk.length
  return size
}

/** A stream that yields `chunks` and then fails, like a network read cut midway. */
export function failingStream(chunks: Buffer[], error = new Error('connection reset')): Readable {
  return Readable.from(
    (async function* () {
      yield* chunks
      throw error
    })(),
  )
}
