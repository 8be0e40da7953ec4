import { join } from 'node:path'
import { mediaTypes } from '@squizzle/core/oci'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { identityToken, mockIssuer, startSigstoreMock, type SigstoreMock } from '@squizzle/security/testing'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// Keyless signing end to end, fully offline: Fulcio, Rekor and a TSA from @sigstore/mock on 127.0.0.1.
let sigstore: SigstoreMock
let project: TestProject
let url: string

beforeAll(async () => {
  sigstore = await startSigstoreMock()
})
afterAll(() => sigstore.close())
beforeEach(async () => {
  url = await createTestDatabase(inject('postgresUrl'))
  const config = {
    storage: 'file:.squizzle/artifacts',
    signing: { method: 'keyless', fulcioUrl: sigstore.url, rekorUrl: sigstore.url, tsaUrl: sigstore.url },
    environments: {
      production: {
        trust: {
          signatures: 'required',
          identities: [
            { issuer: mockIssuer, subject: 'https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/.*' },
          ],
          trustedRoot: 'trusted_root.json',
        },
      },
    },
  }
  // JSON is YAML: the test project's squizzle.config.yaml holds it as is.
  project = await createProject(JSON.stringify(config, null, 2))
  await sigstore.writeTrustedRoot(join(project.dir, 'trusted_root.json'))
  await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
})
afterEach(() => project.remove())

const run = (args: string[], token: string) =>
  squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url, SIGSTORE_ID_TOKEN: token } })

describe('keyless signing (Fulcio + Rekor + TSA via @sigstore/mock)', () => {
  it('signs with the CI identity and applies where that identity is trusted, never printing the token', async () => {
    const token = identityToken()
    const built = await run(['build', '1.0.0', '--irreversible', '--sign', '--json'], token)
    expect(built.code).toBe(0)
    const applied = await run(['apply', '--env', 'production', '--json'], token)
    expect(applied.code).toBe(0)
    const verified = await run(['verify', '1.0.0', '--env', 'production', '--json', '--verbose'], token)
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, identity: { method: 'keyless', issuer: mockIssuer } })
    for (const r of [built, applied, verified]) expect(r.stdout + r.stderr).not.toContain(token)
  })

  it('refuses a version signed by another identity: exit 4, nothing executed, audit row', async () => {
    const token = identityToken({
      sub: 'https://github.com/mallory/fork/.github/workflows/release.yml@refs/heads/main',
    })
    expect((await run(['build', '1.0.0', '--irreversible', '--sign'], token)).code).toBe(0)
    const r = await run(['apply', '--env', 'production', '--json'], token)
    expect(r.code).toBe(4)
    expect((JSON.parse(r.stdout) as { error: { code: string; hint: string } }).error).toMatchObject({
      code: 'POLICY_VIOLATION',
      hint: expect.stringContaining('trust.identities'),
    })
    expect(await query(url, "SELECT to_regclass('public.users') AS t")).toEqual([{ t: null }])
    expect(await query(url, "SELECT outcome, details->>'code' AS code FROM squizzle.audit")).toEqual([
      { outcome: 'refused', code: 'POLICY_VIOLATION' },
    ])
  })

  it('fails to sign (exit 1, SIGNING_FAILED, no signature attached) when there is no identity token', async () => {
    expect((await squizzle(['build', '1.0.0', '--irreversible'], { cwd: project.dir })).code).toBe(0)
    const r = await squizzle(['sign', '1.0.0', '--json'], { cwd: project.dir })
    expect(r.code).toBe(1)
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('SIGNING_FAILED')
    const storage = createFilesystemStorage(join(project.dir, '.squizzle/artifacts'))
    const attached = await storage.attachments!((await storage.pull('1.0.0')).ref)
    expect(attached.map((a) => a.artifactType)).not.toContain(mediaTypes.sigstoreBundle)
  })
})
