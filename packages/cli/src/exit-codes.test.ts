import { PassThrough } from 'node:stream'
import { definePluginErrors, SquizzleError } from '@squizzle/core'
import { describe, expect, it } from 'vitest'
import { exitCodeFor } from './exit-codes.js'
import { Reporter } from './output/reporter.js'

const plugin = definePluginErrors('@acme/squizzle-s3', {
  BUCKET_MISSING: 'usage',
  OBJECT_ALTERED: 'integrity',
  NOT_SIGNED: 'signature',
  LEASE_TAKEN: 'lock',
  UPLOAD_FAILED: 'failure',
})

/** A SquizzleError as a plugin bundling its own copy of core throws it: another class, the same brand. */
function foreignError(code: string, category: string): Error {
  return Object.assign(new Error('from another copy of core'), { [Symbol.for('squizzle.error')]: true, code, category })
}

function rendered(err: unknown, json: boolean): string {
  const out = new PassThrough()
  const io = { stdout: out, stderr: out, env: {}, cwd: '/', isTTY: false }
  new Reporter(io, { json, quiet: false, verbose: false, color: false, secrets: () => [] }).error(err, exitCodeFor(err))
  return String(out.read() ?? '')
}

describe('exit codes of plugin errors', () => {
  it.each([
    ['BUCKET_MISSING', 2],
    ['OBJECT_ALTERED', 3],
    ['NOT_SIGNED', 4],
    ['LEASE_TAKEN', 5],
    ['UPLOAD_FAILED', 1],
  ] as const)('exits %s with %i, by the category the plugin declared', (name, code) => {
    expect(exitCodeFor(plugin.create(name, 'x'))).toBe(code)
  })

  it('reads the category an error from another copy of core carries', () => {
    expect(exitCodeFor(foreignError('@acme/squizzle-s3:OBJECT_ALTERED', 'integrity'))).toBe(3)
    expect(exitCodeFor(foreignError('DIGEST_MISMATCH', 'not-a-category'))).toBe(3)
    expect(exitCodeFor(foreignError('@acme/x:UNKNOWN', 'not-a-category'))).toBe(1)
    expect(exitCodeFor(new SquizzleError('LOCK_TIMEOUT', 'x'))).toBe(5)
  })

  it('renders a plugin error with its code and hint, and in --json with its category', () => {
    const err = plugin.create('BUCKET_MISSING', 'bucket acme-db does not exist', { hint: 'Create the bucket first.' })
    const text = rendered(err, false)
    expect(text).toContain('error bucket acme-db does not exist [@acme/squizzle-s3:BUCKET_MISSING]')
    expect(text).toContain('hint: Create the bucket first.')
    const json = JSON.parse(rendered(err, true)) as { exitCode: number; error: Record<string, unknown> }
    expect(json.exitCode).toBe(2)
    expect(json.error).toMatchObject({
      code: '@acme/squizzle-s3:BUCKET_MISSING',
      category: 'usage',
      hint: 'Create the bucket first.',
    })
  })
})
