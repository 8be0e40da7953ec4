import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { gunzipSync, gzipSync } from 'node:zlib'
import { join } from 'node:path'
import { type ArtifactStorage } from '@squizzle/core'
import { mediaTypes } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

const passphrase = 'release key passphrase 1'
let project: TestProject
let url: string

const env = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: url,
  SQUIZZLE_SIGNING_KEY_PASSPHRASE: passphrase,
  ...extra,
})
const run = (args: string[], extra: Record<string, string> = {}) =>
  squizzle(args, { cwd: project.dir, env: env(extra) })
const errorCode = (stdout: string) => (JSON.parse(stdout) as { error: { code: string } }).error.code
const layout = () => createFilesystemStorage(join(project.dir, '.squizzle/artifacts'))

/** A project whose production environment requires signatures by keys/release.pub. */
async function signingProject(trustedKey = 'keys/release.pub'): Promise<void> {
  project = await createProject(
    [
      'storage: file:.squizzle/artifacts',
      'signing:',
      '  key: keys/release.key',
      'environments:',
      '  production:',
      '    trust:',
      '      signatures: required',
      `      publicKeys: [${trustedKey}]`,
      '  relaxed:',
      '    trust:',
      '      signatures: optional',
      `      publicKeys: [${trustedKey}]`,
      '',
    ].join('\n'),
  )
  expect((await run(['keygen', '--out', 'keys/release'])).code).toBe(0)
  await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
}

/** Nothing ran: no table, no history, and the refusal is in the audit log. */
async function expectRefusedAndAudited(code: string): Promise<void> {
  expect(await query(url, "SELECT to_regclass('public.users') AS t")).toEqual([{ t: null }])
  expect(await query(url, 'SELECT count(*)::int AS n FROM squizzle.history')).toEqual([{ n: 0 }])
  expect(await query(url, "SELECT operation, outcome, version, details->>'code' AS code FROM squizzle.audit")).toEqual([
    { operation: 'apply', outcome: 'refused', version: '1.0.0', code },
  ])
}

beforeEach(async () => {
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await project?.remove()
})

describe('squizzle keygen', () => {
  it('writes an encrypted private key (mode 600) and a public key, and never overwrites them', async () => {
    await signingProject()
    const key = await readFile(join(project.dir, 'keys/release.key'), 'utf8')
    expect(key).toContain('BEGIN ENCRYPTED PRIVATE KEY')
    expect((await stat(join(project.dir, 'keys/release.key'))).mode & 0o777).toBe(0o600)
    // keygen made the missing keys/ folder, private to its owner.
    expect((await stat(join(project.dir, 'keys'))).mode & 0o777).toBe(0o700)
    const again = await run(['keygen', '--out', 'keys/release', '--json'])
    expect(again.code).toBe(2)
    expect(errorCode(again.stdout)).toBe('USAGE')
    expect(await readFile(join(project.dir, 'keys/release.key'), 'utf8')).toBe(key)
  })

  it('refuses to create a key without a passphrase (exit 2), without prompting', async () => {
    project = await createProject()
    const r = await squizzle(['keygen', '--json'], { cwd: project.dir })
    expect(r.code).toBe(2)
    expect(errorCode(r.stdout)).toBe('USAGE')
  })
})

describe('signed versions', () => {
  it('build --sign, then verify and apply under a required policy, recording the signer', async () => {
    await signingProject()
    const built = await run(['build', '1.0.0', '--irreversible', '--sign', '--json'])
    expect(built.code).toBe(0)
    expect(JSON.parse(built.stdout)).toMatchObject({ version: '1.0.0', signed: true })
    const keyId = (JSON.parse((await run(['keygen', '--out', 'keys/other', '--json'])).stdout) as { keyId: string })
      .keyId
    const verified = await run(['verify', '1.0.0', '--env', 'production', '--json'], { DATABASE_URL: '' })
    expect(verified.code).toBe(0)
    expect((JSON.parse(verified.stdout) as { identity: { method: string; subject: string } }).identity.method).toBe(
      'key',
    )
    expect((JSON.parse(verified.stdout) as { identity: { subject: string } }).identity.subject).not.toBe(keyId)
    expect((await run(['apply', '--env', 'production'])).code).toBe(0)
    expect(await query(url, "SELECT to_regclass('public.users')::text AS t")).toEqual([{ t: 'users' }])
    const [audit] = await query(
      url,
      "SELECT outcome, details->'signer'->>'method' AS method FROM squizzle.audit WHERE operation = 'apply'",
    )
    expect(audit).toEqual({ outcome: 'success', method: 'key' })
  })

  it('build --sign without the passphrase fails before building: no unsigned version is left behind', async () => {
    await signingProject()
    const r = await run(['build', '1.0.0', '--irreversible', '--sign', '--json'], {
      SQUIZZLE_SIGNING_KEY_PASSPHRASE: '',
    })
    expect(r.code).toBe(2)
    expect(errorCode(r.stdout)).toBe('USAGE')
    expect(await layout().exists('1.0.0')).toBe(false)
    const wrong = await run(['build', '1.0.0', '--irreversible', '--sign'], {
      SQUIZZLE_SIGNING_KEY_PASSPHRASE: 'not the passphrase',
    })
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain('SQUIZZLE_SIGNING_KEY_PASSPHRASE')
    expect(await layout().exists('1.0.0')).toBe(false)
  })

  it('refuses to sign a version whose bundle was tampered with (exit 3), attaching no signature', async () => {
    await signingProject()
    expect((await run(['build', '1.0.0', '--irreversible'])).code).toBe(0)
    const blobs = join(project.dir, '.squizzle/artifacts/blobs/sha256')
    for (const name of await readdir(blobs)) {
      const bytes = await readFile(join(blobs, name))
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
        const tar = gunzipSync(bytes)
        tar.write('DROP  TABLE users', tar.indexOf('CREATE TABLE users'))
        await writeFile(join(blobs, name), gzipSync(tar))
      }
    }
    const r = await run(['sign', '1.0.0', '--json'])
    expect(r.code).toBe(3)
    expect(errorCode(r.stdout)).toBe('DIGEST_MISMATCH')
    const storage = layout()
    expect((await storage.attachments!((await storage.pull('1.0.0')).ref)).map((a) => a.artifactType)).not.toContain(
      mediaTypes.sigstoreBundle,
    )
  })

  it('attaches the SBOM, provenance and signature to the stored artifact, and sbom prints the attached SBOM', async () => {
    await signingProject()
    expect((await run(['build', '1.0.0', '--irreversible'])).code).toBe(0)
    expect((await run(['sign', '1.0.0'])).code).toBe(0)
    const storage: ArtifactStorage = layout()
    const pulled = await storage.pull('1.0.0')
    const types = (await storage.attachments!(pulled.ref)).map((a) => a.artifactType).sort()
    expect(types).toEqual([mediaTypes.sigstoreBundle, mediaTypes.cyclonedx, mediaTypes.inTotoStatement].sort())
    const sbom = await run(['sbom', '1.0.0'])
    expect(sbom.code).toBe(0)
    expect(JSON.parse(sbom.stdout)).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' })
    expect(sbom.stderr).toBe('')
    const asJson = await run(['sbom', '1.0.0', '--json'])
    expect(JSON.parse(asJson.stdout)).toEqual(JSON.parse(sbom.stdout))
  })
})

describe('refusals: exit 4, nothing executed, an audit row written', () => {
  it('refuses an unsigned version where signatures are required, and passes it where optional', async () => {
    await signingProject()
    expect((await run(['build', '1.0.0', '--irreversible'])).code).toBe(0)
    const r = await run(['apply', '--env', 'production', '--json'])
    expect(r.code).toBe(4)
    expect(errorCode(r.stdout)).toBe('SIGNATURE_MISSING')
    await expectRefusedAndAudited('SIGNATURE_MISSING')
    const text = await run(['apply', '--env', 'production'])
    expect(text.stderr).toContain('squizzle sign 1.0.0')
    expect((await run(['verify', '1.0.0', '--env', 'production'], { DATABASE_URL: '' })).code).toBe(4)
    expect((await run(['apply', '--env', 'relaxed'])).code).toBe(0)
  })

  it('refuses a version signed by a key the environment does not trust', async () => {
    await signingProject('keys/other.pub')
    expect((await run(['keygen', '--out', 'keys/other'])).code).toBe(0)
    expect((await run(['build', '1.0.0', '--irreversible', '--sign'])).code).toBe(0)
    const r = await run(['apply', '--env', 'production', '--json'])
    expect(r.code).toBe(4)
    expect(errorCode(r.stdout)).toBe('POLICY_VIOLATION')
    await expectRefusedAndAudited('POLICY_VIOLATION')
  })

  it('refuses a version whose content was replaced and the old signature carried over', async () => {
    await signingProject()
    expect((await run(['build', '1.0.0', '--irreversible', '--sign'])).code).toBe(0)
    const storage = layout()
    const original = await storage.pull('1.0.0')
    const signature = (await storage.attachments!(original.ref)).find(
      (a) => a.artifactType === mediaTypes.sigstoreBundle,
    )!
    await storage.delete('1.0.0')
    const evil = await makeTestVersion('1.0.0', {
      'migrations/001_users.sql': 'CREATE TABLE users (id int); CREATE TABLE pwned (id int);',
    })
    const ref = await storage.push(evil)
    await storage.attach!(ref, {
      artifactType: signature.artifactType,
      mediaType: signature.mediaType,
      data: signature.data,
    })
    const r = await run(['apply', '--env', 'production', '--json'])
    expect(r.code).toBe(4)
    expect(errorCode(r.stdout)).toBe('SIGNATURE_INVALID')
    expect(await query(url, "SELECT to_regclass('public.pwned') AS t")).toEqual([{ t: null }])
    await expectRefusedAndAudited('SIGNATURE_INVALID')
  })

  it('refuses a tampered Sigstore bundle (its statement altered after signing)', async () => {
    await signingProject()
    expect((await run(['build', '1.0.0', '--irreversible', '--sign'])).code).toBe(0)
    const storage = layout()
    const pulled = await storage.pull('1.0.0')
    const signature = (await storage.attachments!(pulled.ref)).find(
      (a) => a.artifactType === mediaTypes.sigstoreBundle,
    )!
    const bundle = JSON.parse(Buffer.from(signature.data).toString()) as { dsseEnvelope: { payload: string } }
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as {
      predicate: { runDetails: { builder: { id: string } } }
    }
    statement.predicate.runDetails.builder.id = 'https://attacker.example/builder'
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64')
    // Re-store the version so that only the tampered signature is attached to it.
    const bytes = await readAll(pulled.open())
    await storage.delete('1.0.0')
    const ref = await storage.push({ manifest: pulled.manifest, bundle: bytes })
    await storage.attach!(ref, {
      artifactType: signature.artifactType,
      mediaType: signature.mediaType,
      data: Buffer.from(JSON.stringify(bundle)),
    })
    const r = await run(['apply', '--env', 'production', '--json'])
    expect(r.code).toBe(4)
    expect(errorCode(r.stdout)).toBe('SIGNATURE_INVALID')
    await expectRefusedAndAudited('SIGNATURE_INVALID')
  })

  it('refuses a required policy that trusts nothing, and a missing trusted key file, as config errors (exit 2)', async () => {
    await signingProject()
    expect((await run(['build', '1.0.0', '--irreversible', '--sign'])).code).toBe(0)
    await writeFile(
      join(project.dir, 'squizzle.config.yaml'),
      'storage: file:.squizzle/artifacts\ntrust:\n  signatures: required\n',
    )
    const none = await run(['apply', '--json'])
    expect(none.code).toBe(2)
    expect(errorCode(none.stdout)).toBe('CONFIG_INVALID')
    await writeFile(
      join(project.dir, 'squizzle.config.yaml'),
      'storage: file:.squizzle/artifacts\ntrust:\n  signatures: required\n  publicKeys: [keys/missing.pub]\n',
    )
    expect(errorCode((await run(['apply', '--json'])).stdout)).toBe('CONFIG_INVALID')
  })
})

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c)
  return Buffer.concat(chunks)
}
