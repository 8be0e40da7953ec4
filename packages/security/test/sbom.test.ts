import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Spec, Validation } from '@cyclonedx/cyclonedx-library'
import { bundleFiles, type BundleFile } from '@squizzle/core'
import { describe, expect, it } from 'vitest'
import { cyclonedxSbom, findLockfile, readLockfilePackages, sbomAttachment } from '../src/index.js'
import { storedVersion } from './support/statement.js'

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname
const repoLockfile = new URL('../../../pnpm-lock.yaml', import.meta.url).pathname

async function versionWithFiles() {
  const v = await storedVersion('1.2.0', {
    'migrations/001_users.sql': 'CREATE TABLE users (id int);\n',
    'rollback/001_users.sql': 'DROP TABLE users;\n',
  })
  const pulled = await v.storage.pull('1.2.0')
  const files: BundleFile[] = []
  for await (const f of bundleFiles(pulled.open(), pulled.manifest)) files.push(f)
  return { ...v, files }
}

interface Bom {
  specVersion: string
  serialNumber: string
  metadata: { tools: { components: { name: string; version: string }[] }; component: { version: string } }
  components: {
    type: string
    name: string
    purl?: string
    scope?: string
    hashes?: { alg: string; content: string }[]
  }[]
}

describe('CycloneDX SBOM', () => {
  it('takes a file by its SHA-512 instead of its bytes, with the same result', async () => {
    const v = await versionWithFiles()
    const hashed = v.files.map(({ file, content }) => ({
      file,
      sha512: createHash('sha512').update(content).digest('hex'),
    }))
    expect(cyclonedxSbom({ ...v, files: hashed })).toBe(cyclonedxSbom(v))
  })

  it("is valid CycloneDX 1.6 (the library's JSON Schema validator, with ajv) and lists files, tools and npm packages", async () => {
    const v = await versionWithFiles()
    const json = cyclonedxSbom({ ...v, packages: await readLockfilePackages(repoLockfile), name: 'acme-db' })
    expect(await new Validation.JsonStrictValidator(Spec.Spec1dot6.version).validate(json)).toBeNull()
    // The validator is real: a hash algorithm outside the schema's enum is reported.
    expect(
      await new Validation.JsonStrictValidator(Spec.Spec1dot6.version).validate(json.replace('"SHA-256"', '"SHA256"')),
    ).not.toBeNull()
    const bom = JSON.parse(json) as Bom
    expect(bom.specVersion).toBe('1.6')
    expect(bom.metadata.component.version).toBe('1.2.0')
    expect(bom.metadata.tools.components.map((t) => t.name)).toEqual(['squizzle'])
    const file = bom.components.find((c) => c.name === 'migrations/001_users.sql')!
    expect(file.type).toBe('file')
    expect(file.hashes?.map((h) => h.alg).sort()).toEqual(['SHA-256', 'SHA-512'])
    // The lockfile holds ajv twice (ajv 6 under eslint): each resolved version is its own component.
    const ajv = bom.components.find((c) => c.purl === 'pkg:npm/ajv@8.20.0')!
    expect(ajv.name).toBe('ajv')
    expect(ajv.hashes?.[0]?.alg).toBe('SHA-512')
    expect(bom.components.find((c) => c.name === '@sigstore/sign')?.purl).toMatch(/^pkg:npm\/%40sigstore\/sign@/)
  })

  it('is reproducible: the same version gives the same bytes', async () => {
    const v = await versionWithFiles()
    expect(cyclonedxSbom(v)).toBe(cyclonedxSbom(v))
    expect(sbomAttachment(cyclonedxSbom(v)).artifactType).toBe('application/vnd.cyclonedx+json')
  })

  it('names drizzle-kit as a tool with its version when the build used it', async () => {
    const v = await versionWithFiles()
    const bom = JSON.parse(
      cyclonedxSbom({ ...v, manifest: { ...v.manifest, tools: { squizzle: '1.0.0', 'drizzle-kit': '0.31.0' } } }),
    ) as Bom
    expect(bom.metadata.tools.components).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'drizzle-kit', version: '0.31.0' })]),
    )
  })
})

describe('lockfiles', () => {
  it('reads npm v3 lockfiles: nested copies, scopes, dev packages; skips links', async () => {
    const pkgs = await readLockfilePackages(fixture('package-lock.v3.json'))
    expect(pkgs.map((p) => `${p.name}@${p.version}${p.dev ? ' dev' : ''}`)).toEqual([
      '@scope/pkg@2.1.0',
      'postgres@3.3.0',
      'postgres@3.4.5',
      'vitest@4.1.12 dev',
    ])
    const v = await versionWithFiles()
    const bom = JSON.parse(cyclonedxSbom({ ...v, packages: pkgs })) as Bom
    expect(bom.components.find((c) => c.name === 'vitest')).toMatchObject({ scope: 'excluded' })
    expect(bom.components.find((c) => c.name === 'vitest')?.hashes ?? []).toEqual([])
    expect(bom.components.find((c) => c.name === '@scope/pkg')?.hashes?.[0]).toEqual({
      alg: 'SHA-1',
      content: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    })
  })

  it('reads npm v1 and pnpm v6 lockfiles', async () => {
    expect((await readLockfilePackages(fixture('package-lock.v1.json'))).map((p) => p.name)).toEqual(['lru', 'semver'])
    const pnpm = await readLockfilePackages(fixture('pnpm-lock.v6.yaml'))
    expect(pnpm.map((p) => [p.name, p.version, p.dev, p.integrity.length])).toEqual([
      ['ajv', '8.20.0', false, 1],
      ['local-tarball', '1.0.0', false, 0],
      ['vite', '8.3.8', true, 1],
    ])
  })

  it('finds the nearest lockfile upward, and refuses a file that is not a lockfile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'squizzle-lock-'))
    try {
      expect(await findLockfile(new URL('.', import.meta.url).pathname)).toBe(repoLockfile)
      await writeFile(
        join(dir, 'pnpm-lock.yaml'),
        "lockfileVersion: '6.0'\npackages:\n  /ajv@8.20.0(x@1):\n    resolution: {integrity: sha512-AA==}\n  " +
          '  dev: true\n',
      )
      expect(await findLockfile(dir)).toBe(join(dir, 'pnpm-lock.yaml'))
      expect(await readLockfilePackages(join(dir, 'pnpm-lock.yaml'))).toEqual([
        { name: 'ajv', version: '8.20.0', integrity: ['sha512-AA=='], dev: true },
      ])
      await writeFile(join(dir, 'pnpm-lock.yaml'), 'just: text\n')
      await expect(readLockfilePackages(join(dir, 'pnpm-lock.yaml'))).rejects.toMatchObject({ code: 'USAGE' })
      await writeFile(join(dir, 'package-lock.json'), '{"name":"x"}')
      await expect(readLockfilePackages(join(dir, 'package-lock.json'))).rejects.toMatchObject({ code: 'USAGE' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
