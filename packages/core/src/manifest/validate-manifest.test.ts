import { describe, expect, it } from 'vitest'
import { canonicalJson } from './canonical-json.js'
import { computeChecksum } from './checksum.js'
import type { Manifest, ManifestFile } from './manifest.js'
import { parseManifest, serializeManifest, validateManifest } from './validate-manifest.js'
import { codeOf } from '../test-support/code-of.js'

const sha = (c: string): string => c.repeat(64)

function files(): ManifestFile[] {
  return [
    { path: 'drizzle/0000_init.sql', kind: 'drizzle', size: 300, sha256: sha('1'), transaction: true },
    {
      path: 'migrations/001_users.sql',
      kind: 'migrations',
      size: 120,
      sha256: sha('a'),
      transaction: true,
      ownTransactionControl: true,
    },
    { path: 'migrations/002_index.sql', kind: 'migrations', size: 64, sha256: sha('b'), transaction: false },
    {
      path: 'migrations/sub/003_enum.sql',
      kind: 'migrations',
      size: 40,
      sha256: sha('c'),
      transaction: true,
      commitAfter: true,
    },
    { path: 'seed/001_rows.sql', kind: 'seed', size: 10, sha256: sha('d'), transaction: true },
    { path: 'rollback/001_users.sql', kind: 'rollback', size: 20, sha256: sha('e'), transaction: true },
  ]
}

const recompute = Symbol('recompute')

/** A valid manifest; `change` edits it, then the checksum is computed unless `change` set or removed it. */
function manifest(change: (m: Record<string, unknown>) => void = () => {}): Record<string, unknown> {
  const m: Record<string, unknown> = {
    formatVersion: 1,
    version: '1.4.0',
    previousVersion: '1.3.0',
    created: '2024-05-01T12:00:00.000Z',
    notes: 'orders',
    author: 'ci',
    tools: { squizzle: '0.1.0', 'drizzle-kit': '0.31.0' },
    transactionScope: 'version',
    files: files(),
    checksum: recompute,
  }
  change(m)
  if (m['checksum'] === recompute) m['checksum'] = computeChecksum((m['files'] ?? []) as ManifestFile[])
  return m
}

const fileAt = (m: Record<string, unknown>, i: number): Record<string, unknown> =>
  (m['files'] as Record<string, unknown>[])[i]!

describe('validateManifest', () => {
  it('accepts a valid manifest and returns it', () => {
    const m = manifest()
    expect(validateManifest(m, 'test')).toBe(m)
  })

  it.each<[string, (m: Record<string, unknown>) => void]>([
    ['a first version (previousVersion null)', (m) => void (m['previousVersion'] = null)],
    ['a prerelease', (m) => void ((m['version'] = '2.0.0-rc.1'), (m['previousVersion'] = '1.9.0'))],
    ['a release after its prerelease', (m) => void ((m['version'] = '2.0.0'), (m['previousVersion'] = '2.0.0-rc.1'))],
    ['no optional fields', (m) => void (delete m['notes'], delete m['author'], (m['tools'] = { squizzle: '0.1.0' }))],
    ['no files', (m) => void (m['files'] = [])],
    [
      'file transaction scope and irreversible',
      (m) => void ((m['transactionScope'] = 'file'), (m['irreversible'] = true)),
    ],
    ['a created time with an offset', (m) => void (m['created'] = '2024-05-01T14:00:00+02:00')],
    [
      'the schema snapshot file',
      (m) =>
        void (m['files'] = [
          ...files(),
          { path: 'schema/snapshot.json', kind: 'schema', size: 9, sha256: sha('f'), transaction: true },
        ]),
    ],
    ['the digest of its previous version', (m) => void (m['previousDigest'] = `sha256:${sha('7')}`)],
    ['a first version chained to nothing', (m) => void ((m['previousVersion'] = null), (m['previousDigest'] = null))],
  ])('accepts %s', (_name, change) => {
    expect(() => validateManifest(manifest(change))).not.toThrow()
  })

  it.each(['formatVersion', 'version', 'previousVersion', 'created', 'tools', 'transactionScope', 'files', 'checksum'])(
    'refuses a manifest without %s (MANIFEST_INVALID)',
    (field) => {
      expect(codeOf(() => validateManifest(manifest((m) => void delete m[field])))).toBe('MANIFEST_INVALID')
    },
  )

  it.each(['path', 'kind', 'size', 'sha256', 'transaction'])(
    'refuses a file entry without %s (MANIFEST_INVALID)',
    (field) => {
      expect(codeOf(() => validateManifest(manifest((m) => void delete fileAt(m, 1)[field])))).toBe('MANIFEST_INVALID')
    },
  )

  it.each<[string, (m: Record<string, unknown>) => void]>([
    ['an unknown top-level property', (m) => void (m['signature'] = 'x')],
    ['an unknown file property', (m) => void (fileAt(m, 0)['mode'] = 0o755)],
    ['an unknown tools property', (m) => void ((m['tools'] as Record<string, unknown>)['prisma'] = '5')],
    ['an unknown checksum property', (m) => void (m['checksum'] = { ...computeChecksum(files()), salt: 'x' })],
  ])('refuses %s (MANIFEST_INVALID)', (_name, change) => {
    expect(codeOf(() => validateManifest(manifest(change)))).toBe('MANIFEST_INVALID')
  })

  it.each([sha('A'), 'a'.repeat(63), 'a'.repeat(65), `sha256:${sha('a')}`, 'g'.repeat(64)])(
    'refuses the sha256 %j (MANIFEST_INVALID)',
    (bad) => {
      expect(codeOf(() => validateManifest(manifest((m) => void (fileAt(m, 0)['sha256'] = bad))))).toBe(
        'MANIFEST_INVALID',
      )
    },
  )

  it.each<[string, unknown]>([
    ['path', 'migrations/../../etc/passwd.sql'],
    ['path', '/etc/passwd.sql'],
    ['path', 'migrations\\..\\x.sql'],
    ['path', 'migrations/x\u0000.sql'],
    ['size', -1],
    ['size', 1.5],
    ['size', '10'],
    ['transaction', 'yes'],
  ])('refuses a file whose %s is %j (MANIFEST_INVALID)', (field, bad) => {
    expect(codeOf(() => validateManifest(manifest((m) => void (fileAt(m, 1)[field] = bad))))).toBe('MANIFEST_INVALID')
  })

  it('refuses a file whose kind does not match its path (MANIFEST_INVALID)', () => {
    expect(codeOf(() => validateManifest(manifest((m) => void (fileAt(m, 1)['kind'] = 'seed'))))).toBe(
      'MANIFEST_INVALID',
    )
    expect(codeOf(() => validateManifest(manifest((m) => void (fileAt(m, 5)['kind'] = 'migrations'))))).toBe(
      'MANIFEST_INVALID',
    )
  })

  it.each<[string, string]>([
    ['schema/other.json', 'schema'],
    ['schema/snapshot.sql', 'schema'],
    ['migrations/snapshot.json', 'migrations'],
    ['schema/snapshot.json', 'migrations'],
  ])('refuses %s with kind %s: the schema kind holds exactly schema/snapshot.json (MANIFEST_INVALID)', (path, kind) => {
    const m = manifest(
      (x) => void (x['files'] = [...files(), { path, kind, size: 9, sha256: sha('f'), transaction: true }]),
    )
    expect(codeOf(() => validateManifest(m))).toBe('MANIFEST_INVALID')
  })

  it('refuses a file listed twice (MANIFEST_INVALID)', () => {
    const twice = manifest((m) => void (m['files'] = [...files(), { ...files()[1]!, sha256: sha('f') }]))
    expect(codeOf(() => validateManifest(twice))).toBe('MANIFEST_INVALID')
  })

  it.each([
    'migrations/../001_users.sql',
    'migrations/./001_users.sql',
    'migrations/../../etc/passwd.sql',
    '/migrations/001.sql',
    'migrations//001.sql',
    'migrations\\001.sql',
    'migrations/ 001_users.sql',
    'migrations/001_users .sql',
    'migrations/001.txt',
    'other/001.sql',
  ])('refuses the path %j (MANIFEST_INVALID)', (path) => {
    expect(codeOf(() => validateManifest(manifest((m) => void (fileAt(m, 1)['path'] = path))))).toBe('MANIFEST_INVALID')
  })

  it.each([
    ['equal to', '1.4.0', '1.4.0'],
    ['greater than', '1.5.0', '1.4.0'],
    ['the release of', '1.4.0', '1.4.0-rc.1'],
  ])('refuses a previousVersion %s the version (MANIFEST_INVALID)', (_relation, previousVersion, version) => {
    expect(codeOf(() => validateManifest(manifest((m) => void Object.assign(m, { previousVersion, version }))))).toBe(
      'MANIFEST_INVALID',
    )
  })

  it.each<[string, Record<string, unknown>]>([
    ['a v-prefixed version', { version: 'v1.4.0' }],
    ['a version with build metadata', { version: '1.4.0+abc' }],
    ['a version with a leading zero', { version: '01.4.0', previousVersion: null }],
    ['a prerelease with a leading zero', { version: '1.4.0-01', previousVersion: null }],
    ['a previousVersion with a leading zero', { previousVersion: '01.3.0' }],
    ['a previousVersion with an empty prerelease part', { previousVersion: '1.3.0-a..b' }],
    ['formatVersion 2', { formatVersion: 2 }],
    ['an unknown transaction scope', { transactionScope: 'statement' }],
    ['a created date that is not RFC 3339', { created: 'yesterday' }],
    ['a previousDigest that is not a sha256 digest', { previousDigest: sha('7') }],
    ['a previousDigest without a previousVersion', { previousVersion: null, previousDigest: `sha256:${sha('7')}` }],
    ['a previousVersion whose digest is null', { previousDigest: null }],
  ])('refuses %s (MANIFEST_INVALID)', (_name, fields) => {
    expect(codeOf(() => validateManifest(manifest((m) => void Object.assign(m, fields))))).toBe('MANIFEST_INVALID')
  })

  it.each([null, undefined, 'manifest', 42, [], [manifest()]])(
    'refuses %j as a manifest (MANIFEST_INVALID)',
    (value) => {
      expect(codeOf(() => validateManifest(value))).toBe('MANIFEST_INVALID')
    },
  )

  it.each<[string, Record<string, unknown>]>([
    ['sha256', { sha256: sha('9') }],
    ['size', { size: 121 }],
    ['transaction flag', { transaction: false }],
    ['commitAfter flag', { commitAfter: true }],
    ['path', { path: 'migrations/001_users_v2.sql' }],
  ])('refuses a manifest whose file %s was altered after the checksum (CHECKSUM_MISMATCH)', (_name, change) => {
    const m = manifest()
    Object.assign(fileAt(m, 1), change)
    expect(codeOf(() => validateManifest(m))).toBe('CHECKSUM_MISMATCH')
  })

  it('refuses a manifest with a file removed after the checksum (CHECKSUM_MISMATCH)', () => {
    const m = manifest()
    ;(m['files'] as unknown[]).splice(2, 1)
    expect(codeOf(() => validateManifest(m))).toBe('CHECKSUM_MISMATCH')
  })

  it.each(['squizzle-files-v0', '__proto__', 'constructor', 'valueOf'])(
    'refuses the checksum algorithm %j (MANIFEST_INVALID)',
    (algorithm) => {
      const m = manifest((m) => void (m['checksum'] = { algorithm, value: computeChecksum(files()).value }))
      expect(codeOf(() => validateManifest(m))).toBe('MANIFEST_INVALID')
    },
  )
})

describe('parseManifest', () => {
  it('parses bytes and strings', () => {
    const m = manifest()
    const text = JSON.stringify(m)
    expect(parseManifest(text)).toEqual(m)
    expect(parseManifest(Buffer.from(text, 'utf8'))).toEqual(m)
    expect(parseManifest(new TextEncoder().encode(text))).toEqual(m)
  })

  it.each(['', '{', '{"formatVersion":1,}', 'null garbage', '\u0000'])(
    'refuses %j, which is not JSON (MANIFEST_INVALID)',
    (text) => {
      expect(codeOf(() => parseManifest(text))).toBe('MANIFEST_INVALID')
    },
  )

  it('refuses JSON that is not a manifest (MANIFEST_INVALID)', () => {
    expect(codeOf(() => parseManifest('{"formatVersion":1}'))).toBe('MANIFEST_INVALID')
  })
})

describe('serializeManifest', () => {
  it('writes canonical JSON that parses back to the same manifest', () => {
    const m = validateManifest(manifest())
    const bytes = serializeManifest(m)
    expect(Buffer.from(bytes).toString('utf8')).toBe(canonicalJson(m))
    expect(parseManifest(bytes)).toEqual(m)
  })

  it('gives the same bytes whatever the key order', () => {
    const m = validateManifest(manifest()) as Manifest
    const reordered = Object.fromEntries(Object.entries(m).reverse()) as unknown as Manifest
    expect(Buffer.from(serializeManifest(reordered))).toEqual(Buffer.from(serializeManifest(m)))
  })
})
