import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  anchored,
  identityTokenProvider,
  inTotoPayloadType,
  KeylessSigner,
  matchIdentity,
  SigstoreVerifier,
} from '../src/index.js'
import { identityToken, mockIssuer, mockSubject, startSigstoreMock, type SigstoreMock } from '../src/testing/index.js'

let sigstore: SigstoreMock
let other: SigstoreMock
let dir: string
let rootFile: string
let otherRootFile: string

beforeAll(async () => {
  sigstore = await startSigstoreMock()
  other = await startSigstoreMock()
  dir = await mkdtemp(join(tmpdir(), 'squizzle-keyless-'))
  rootFile = join(dir, 'trusted_root.json')
  otherRootFile = join(dir, 'other_root.json')
  await sigstore.writeTrustedRoot(rootFile)
  await other.writeTrustedRoot(otherRootFile)
})
afterAll(async () => {
  await sigstore.close()
  await other.close()
  await rm(dir, { recursive: true, force: true })
})

async function codeOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'no error',
    (err: unknown) => (err as { code?: unknown }).code,
  )
}

const signer = (claims = {}, tsa = true) =>
  new KeylessSigner({
    identityProvider: identityTokenProvider({ SIGSTORE_ID_TOKEN: identityToken(claims) }),
    fulcioUrl: sigstore.url,
    rekorUrl: sigstore.url,
    ...(tsa ? { tsaUrl: sigstore.url } : {}),
  })
const trusted = [
  {
    issuer: mockIssuer,
    subjectPattern: 'https://github\\.com/acme/app/\\.github/workflows/release\\.yml@refs/heads/main',
  },
]

describe('keyless signing against @sigstore/mock (loopback only)', () => {
  it('signs with a Fulcio certificate, a Rekor entry and a TSA timestamp, and verifies the identity', async () => {
    const bundle = await signer().sign(Buffer.from('{"_type":"x"}'), inTotoPayloadType)
    const material = bundle['verificationMaterial'] as {
      certificate?: unknown
      tlogEntries: unknown[]
      timestampVerificationData: { rfc3161Timestamps: unknown[] }
    }
    expect(bundle['mediaType']).toBe('application/vnd.dev.sigstore.bundle.v0.3+json')
    expect(material.certificate).toBeDefined()
    expect(material.tlogEntries).toHaveLength(1)
    expect(material.timestampVerificationData.rfc3161Timestamps).toHaveLength(1)
    const verified = await new SigstoreVerifier().verify(bundle, {
      signatures: 'required',
      identities: trusted,
      trustedRoot: rootFile,
    })
    expect(verified.identity).toEqual({ method: 'keyless', subject: mockSubject, issuer: mockIssuer })
    expect(Buffer.from(verified.payload).toString()).toBe('{"_type":"x"}')
  })

  it('signs without a TSA when none is configured (Rekor alone dates the signature)', async () => {
    const bundle = await signer({}, false).sign(Buffer.from('{}'), inTotoPayloadType)
    expect(
      (bundle['verificationMaterial'] as { timestampVerificationData?: { rfc3161Timestamps?: unknown[] } })
        .timestampVerificationData?.rfc3161Timestamps ?? [],
    ).toHaveLength(0)
    expect(
      (
        await new SigstoreVerifier().verify(bundle, {
          signatures: 'required',
          identities: trusted,
          trustedRoot: rootFile,
        })
      ).identity.method,
    ).toBe('keyless')
  })

  it('refuses a subject the policy does not trust, and an issuer it does not trust (POLICY_VIOLATION)', async () => {
    const bundle = await signer({
      sub: 'https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main',
    }).sign(Buffer.from('{}'), inTotoPayloadType)
    expect(
      await codeOf(
        new SigstoreVerifier().verify(bundle, { signatures: 'required', identities: trusted, trustedRoot: rootFile }),
      ),
    ).toBe('POLICY_VIOLATION')
    const good = await signer().sign(Buffer.from('{}'), inTotoPayloadType)
    const otherIssuer = [{ issuer: 'https://accounts.google.com', subjectPattern: '.*' }]
    expect(
      await codeOf(
        new SigstoreVerifier().verify(good, { signatures: 'required', identities: otherIssuer, trustedRoot: rootFile }),
      ),
    ).toBe('POLICY_VIOLATION')
    expect(await codeOf(new SigstoreVerifier().verify(good, { signatures: 'required', trustedRoot: rootFile }))).toBe(
      'POLICY_VIOLATION',
    )
  })

  it('refuses a certificate from another Sigstore instance than the trusted root (SIGNATURE_INVALID)', async () => {
    const bundle = await signer().sign(Buffer.from('{}'), inTotoPayloadType)
    expect(
      await codeOf(
        new SigstoreVerifier().verify(bundle, {
          signatures: 'required',
          identities: trusted,
          trustedRoot: otherRootFile,
        }),
      ),
    ).toBe('SIGNATURE_INVALID')
  })

  it('uses the public-good root (through the injected TUF loader) when no trusted root is pinned', async () => {
    const bundle = await signer().sign(Buffer.from('{}'), inTotoPayloadType)
    const verifier = new SigstoreVerifier({ publicGoodRoot: async () => sigstore.trustedRoot })
    expect((await verifier.verify(bundle, { signatures: 'required', identities: trusted })).identity.subject).toBe(
      mockSubject,
    )
  })

  it('reports a missing or unreadable trusted root as a config error', async () => {
    const bundle = await signer().sign(Buffer.from('{}'), inTotoPayloadType)
    expect(
      await codeOf(
        new SigstoreVerifier().verify(bundle, {
          signatures: 'required',
          identities: trusted,
          trustedRoot: join(dir, 'missing.json'),
        }),
      ),
    ).toBe('CONFIG_INVALID')
    for (const [name, text] of [
      ['not-json.json', '{'],
      ['not-root.json', '{"mediaType":"application/json"}'],
    ] as const) {
      await writeFile(join(dir, name), text)
      expect(
        await codeOf(
          new SigstoreVerifier().verify(bundle, {
            signatures: 'required',
            identities: trusted,
            trustedRoot: join(dir, name),
          }),
        ),
      ).toBe('CONFIG_INVALID')
    }
  })

  it('fails with SIGNING_FAILED when Fulcio is unreachable or there is no identity token', async () => {
    const down = new KeylessSigner({
      identityProvider: identityTokenProvider({ SIGSTORE_ID_TOKEN: identityToken() }),
      fulcioUrl: 'http://127.0.0.1:9',
      rekorUrl: 'http://127.0.0.1:9',
      timeoutMs: 2000,
    })
    expect(await codeOf(down.sign(Buffer.from('{}'), inTotoPayloadType))).toBe('SIGNING_FAILED')
    const noToken = new KeylessSigner({
      identityProvider: identityTokenProvider({}),
      fulcioUrl: sigstore.url,
      rekorUrl: sigstore.url,
    })
    expect(await codeOf(noToken.sign(Buffer.from('{}'), inTotoPayloadType))).toBe('SIGNING_FAILED')
  })
})

describe('identity tokens', () => {
  it('asks the GitHub Actions OIDC endpoint for a sigstore-audience token when SIGSTORE_ID_TOKEN is unset', async () => {
    const seen: { auth?: string; url?: string } = {}
    const server = createServer((req, res) => {
      seen.auth = req.headers.authorization
      seen.url = req.url
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ value: 'gha-oidc-token' }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    // CIContextProvider (@sigstore/sign) reads these from the process environment.
    process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] =
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`
    process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'runtime-request-token'
    try {
      expect(await identityTokenProvider({}).getToken()).toBe('gha-oidc-token')
      expect(seen.auth).toBe('Bearer runtime-request-token')
      expect(new URL(seen.url!, 'http://x').searchParams.get('audience')).toBe('sigstore')
      expect(await identityTokenProvider({ SIGSTORE_ID_TOKEN: 'explicit' }).getToken()).toBe('explicit')
    } finally {
      delete process.env['ACTIONS_ID_TOKEN_REQUEST_URL']
      delete process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

describe('identity patterns', () => {
  it('matches the whole subject, never a part of it', () => {
    expect(anchored('ci@example\\.com').test('ci@example.com')).toBe(true)
    expect(anchored('ci@example\\.com').test('evil-ci@example.com')).toBe(false)
    expect(anchored('example').test('ci@example.com')).toBe(false)
    expect(() => matchIdentity(undefined, mockIssuer, trusted)).toThrow()
    expect(() => anchored('(')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })
})
