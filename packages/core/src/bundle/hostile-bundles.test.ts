import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { constants as zlibConstants, gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { SquizzleErrorCode } from '../errors/error-codes.js'
import { isSquizzleError, type SquizzleError } from '../errors/squizzle-error.js'
import type { Manifest, ManifestFile } from '../manifest/manifest.js'
import { parseManifest } from '../manifest/validate-manifest.js'
import { bundleFiles, readBundle } from './bundle-reader.js'
import type { BundleLimits } from './limits.js'

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url))
const hostile = join(fixtures, 'hostile')

function load(name: string): { manifest: Manifest; open: () => ReturnType<typeof createReadStream> } {
  return {
    manifest: parseManifest(readFileSync(join(hostile, `${name}.manifest.json`)), `${name}.manifest.json`),
    open: () => createReadStream(join(hostile, `${name}.tar.gz`)),
  }
}

/** Reads a fixture; returns the typed error code, and which files onFile saw first. */
async function read(
  name: string,
  limits?: Partial<BundleLimits>,
): Promise<{ code: SquizzleError['code'] | 'accepted'; seen: ManifestFile[] }> {
  const { manifest, open } = load(name)
  const seen: ManifestFile[] = []
  try {
    await readBundle(open(), manifest, {
      limits,
      onFile: (file, content) => {
        // Whatever reaches onFile must be listed and verified, even in a bundle refused later.
        expect(manifest.files).toContain(file)
        expect(createHash('sha256').update(content).digest('hex')).toBe(file.sha256)
        seen.push(file)
      },
    })
    return { code: 'accepted', seen }
  } catch (err) {
    if (!isSquizzleError(err)) throw err
    return { code: err.code, seen }
  }
}

/**
 * Equal bytes, or gzip streams that inflate to equal bytes: another zlib build may
 * compress the same tar differently, which does not make a fixture stale.
 */
function sameContent(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true
  const inflate = (x: Buffer): Buffer | null => {
    try {
      return gunzipSync(x, { finishFlush: zlibConstants.Z_SYNC_FLUSH })
    } catch {
      return null
    }
  }
  const [x, y] = [inflate(a), inflate(b)]
  return x !== null && y !== null && x.equals(y)
}

const refused: [string, SquizzleErrorCode, Partial<BundleLimits>?][] = [
  ['path-traversal', 'BUNDLE_UNSAFE'],
  ['absolute-path', 'BUNDLE_UNSAFE'],
  ['backslash-path', 'BUNDLE_UNSAFE'],
  ['symlink-entry', 'BUNDLE_UNSAFE'],
  ['hardlink-entry', 'BUNDLE_UNSAFE'],
  ['char-device', 'BUNDLE_UNSAFE'],
  ['block-device', 'BUNDLE_UNSAFE'],
  ['fifo-entry', 'BUNDLE_UNSAFE'],
  ['directory-entry', 'BUNDLE_UNSAFE'],
  ['duplicate-entry', 'BUNDLE_UNSAFE'],
  ['unlisted-entry', 'BUNDLE_UNSAFE'],
  ['out-of-order', 'BUNDLE_UNSAFE'],
  ['missing-entry', 'BUNDLE_CORRUPT'],
  ['size-mismatch', 'BUNDLE_CORRUPT'],
  ['digest-mismatch', 'DIGEST_MISMATCH'],
  ['pax-path-override', 'BUNDLE_UNSAFE'],
  ['appended-archive', 'BUNDLE_UNSAFE'],
  ['truncated-gzip', 'BUNDLE_CORRUPT'],
  ['truncated-tar', 'BUNDLE_CORRUPT'],
  ['oversize-pax-header', 'BUNDLE_LIMIT_EXCEEDED'],
  ['oversize-longname', 'BUNDLE_LIMIT_EXCEEDED'],
  ['not-gzip', 'BUNDLE_CORRUPT'],
  ['gzip-not-tar', 'BUNDLE_CORRUPT'],
  ['gzip-bomb', 'BUNDLE_LIMIT_EXCEEDED'],
  // The absolute limit refuses it too when the ratio limit is lifted.
  ['gzip-bomb', 'BUNDLE_LIMIT_EXCEEDED', { maxRatio: 1_000_000, maxDecompressedBytes: 1024 * 1024 }],
  ['many-files', 'BUNDLE_LIMIT_EXCEEDED', { maxFiles: 3 }],
  ['large-file', 'BUNDLE_LIMIT_EXCEEDED', { maxFileBytes: 64 * 1024 }],
  ['large-file', 'BUNDLE_LIMIT_EXCEEDED', { maxDecompressedBytes: 64 * 1024 }],
]

describe('hostile bundles', () => {
  it('accepts the control bundle they are all mutations of', async () => {
    expect(await read('valid')).toEqual({ code: 'accepted', seen: load('valid').manifest.files })
  })

  it.each(refused)('refuses %s with %s', async (name, code, limits) => {
    expect((await read(name, limits)).code).toBe(code)
  })

  it.each(refused.filter(([, , limits]) => limits === undefined))(
    'refuses %s through bundleFiles too',
    async (name, code) => {
      const { manifest, open } = load(name)
      const consume = async (): Promise<void> => {
        for await (const { file } of bundleFiles(open(), manifest)) expect(manifest.files).toContain(file)
      }
      await expect(consume()).rejects.toMatchObject({ code })
    },
  )

  it('refuses the overridden entry in pax-path-override before its bytes reach onFile', async () => {
    expect((await read('pax-path-override')).seen).toEqual([])
  })

  it('refuses the gzip bomb by its ratio, not by an absolute size, under default limits', async () => {
    const { manifest } = load('gzip-bomb')
    expect(manifest.files[0]!.size).toBe(50 * 1024 * 1024)
    expect(readFileSync(join(hostile, 'gzip-bomb.tar.gz')).length).toBeLessThan(100 * 1024)
    expect((await read('gzip-bomb', { maxRatio: 100_000 })).code).toBe('accepted')
  })

  it('refuses oversize headers by the bytes the manifest declares, not only by ratio, before buffering them', async () => {
    for (const name of ['oversize-pax-header', 'oversize-longname']) {
      expect((await read(name, { maxRatio: 1_000_000 })).code).toBe('BUNDLE_LIMIT_EXCEEDED')
    }
  })

  it('accepts many-files and large-file under the default limits, so the limits are what refuse them', async () => {
    expect((await read('many-files')).code).toBe('accepted')
    expect((await read('large-file')).code).toBe('accepted')
  })

  it('lists every fixture in the README, one line each, and no other', () => {
    const names = readdirSync(hostile)
      .filter((f) => f.endsWith('.tar.gz'))
      .map((f) => f.slice(0, -'.tar.gz'.length))
    const listed = [...readFileSync(join(fixtures, 'README.md'), 'utf8').matchAll(/^- `([a-z0-9-]+)` — /gm)].map(
      (m) => m[1],
    )
    expect([...listed].sort()).toEqual([...names].sort())
    for (const name of names) expect(existsSync(join(hostile, `${name}.manifest.json`))).toBe(true)
    expect(new Set(refused.map(([name]) => name))).toEqual(new Set(names.filter((n) => n !== 'valid')))
  })

  it('matches what make-hostile.mjs writes (the committed fixtures are up to date)', () => {
    const out = mkdtempSync(join(tmpdir(), 'squizzle-hostile-'))
    try {
      execFileSync(process.execPath, [join(fixtures, 'make-hostile.mjs'), out])
      const written = readdirSync(out).sort()
      expect(readdirSync(hostile).sort()).toEqual(written)
      for (const file of written)
        expect([file, sameContent(readFileSync(join(out, file)), readFileSync(join(hostile, file)))]).toEqual([
          file,
          true,
        ])
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
