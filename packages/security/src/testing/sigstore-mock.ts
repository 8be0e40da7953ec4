import { createHash, generateKeyPairSync } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  fulcioHandler,
  initializeCA,
  initializeCTLog,
  initializeTLog,
  initializeTSA,
  rekorHandler,
  tsaHandler,
  type HandlerFn,
} from '@sigstore/mock'
import { HashAlgorithm, PublicKeyDetails, TrustedRoot } from '@sigstore/protobuf-specs'

/** A Fulcio + Rekor + TSA instance from @sigstore/mock, served on loopback HTTP, and its trusted root. */
export interface SigstoreMock {
  url: string
  trustedRoot: TrustedRoot
  /** Writes the instance's trusted_root.json to `path`. */
  writeTrustedRoot(path: string): Promise<void>
  close(): Promise<void>
}

export const mockIssuer = 'https://token.actions.githubusercontent.com'
export const mockSubject = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main'

/**
 * An unsigned OIDC token: the mock Fulcio reads its claims without checking a signature.
 *
 * @example
 * ```ts
 * const token = identityToken({ sub: mockSubject })
 * ```
 */
export function identityToken(claims: Record<string, unknown> = {}): string {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const exp = Math.floor(Date.now() / 1000) + 600
  const payload = { iss: mockIssuer, sub: mockSubject, aud: 'sigstore', exp, ...claims }
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`
}

/**
 * Starts the mock on 127.0.0.1. Clocks are set so the signing certificate (valid
 * from a minute ago, for ten minutes) covers the TSA's whole-second timestamp.
 *
 * @example
 * ```ts
 * const sigstore = await startSigstoreMock()
 * ```
 */
export async function startSigstoreMock(): Promise<SigstoreMock> {
  const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const handlers = new Map<string, HandlerFn>()
  const server = serving(handlers)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const now = Date.now()
  const ctlog = await initializeCTLog(keyPair())
  const ca = await initializeCA(keyPair(), ctlog, new Date(now - 60_000))
  const tlog = await initializeTLog(url, keyPair())
  // The TSA's certificates are valid from their creation (X.509 has whole seconds), and its
  // clock is fixed: a whole second after creation keeps every timestamp inside their validity.
  const tsa = await initializeTSA(keyPair(), new Date(Math.ceil(now / 1000) * 1000 + 1000))
  for (const h of [fulcioHandler(ca), rekorHandler(tlog), tsaHandler(tsa)]) handlers.set(h.path, h.fn)
  const trustedRoot = trustedRootOf(url, { ctlog, ca, tlog, tsa }, new Date(now - 3_600_000))
  return {
    url,
    trustedRoot,
    writeTrustedRoot: (path) => writeFile(path, JSON.stringify(TrustedRoot.toJSON(trustedRoot), null, 2)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** An HTTP server answering each POST with the handler registered for its path (filled in once it listens). */
function serving(handlers: ReadonlyMap<string, HandlerFn>): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const handler = req.method === 'POST' ? handlers.get((req.url ?? '').split('?')[0]!) : undefined
      if (!handler) return void res.writeHead(404).end()
      handler(Buffer.concat(chunks).toString('utf8')).then(
        ({ statusCode, response, contentType }) => {
          res.writeHead(statusCode, { 'Content-Type': contentType ?? 'text/plain' })
          res.end(
            typeof response === 'string'
              ? response
              : Buffer.from(response.buffer, response.byteOffset, response.byteLength),
          )
        },
        (err: unknown) => res.writeHead(500).end(String(err)),
      )
    })
  })
}

interface MockServices {
  ctlog: Awaited<ReturnType<typeof initializeCTLog>>
  ca: Awaited<ReturnType<typeof initializeCA>>
  tlog: Awaited<ReturnType<typeof initializeTLog>>
  tsa: Awaited<ReturnType<typeof initializeTSA>>
}

/** The trusted root naming the mock's transparency log, CT log, CA and TSA, all valid from `start`. */
function trustedRootOf(url: string, services: MockServices, start: Date): TrustedRoot {
  const { ctlog, ca, tlog, tsa } = services
  const key = (rawBytes: Buffer) => ({
    rawBytes,
    keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
    validFor: { start },
  })
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: url,
        hashAlgorithm: HashAlgorithm.SHA2_256,
        publicKey: key(tlog.publicKey),
        logId: { keyId: createHash('sha256').update(tlog.publicKey).digest() },
        checkpointKeyId: undefined,
        operator: 'mock',
      },
    ],
    ctlogs: [
      {
        baseUrl: url,
        hashAlgorithm: HashAlgorithm.SHA2_256,
        publicKey: key(ctlog.publicKey),
        logId: { keyId: Buffer.from(ctlog.logID.buffer) },
        checkpointKeyId: undefined,
        operator: 'mock',
      },
    ],
    certificateAuthorities: [authority(url, [ca.rootCertificate], start)],
    timestampAuthorities: [authority(url, [tsa.intCertificate, tsa.rootCertificate], start)],
  } as TrustedRoot
}

/** A certificate authority (Fulcio's CA or the TSA) of the mock, by its chain (leaf first). */
function authority(url: string, chain: readonly { buffer: ArrayBuffer }[], start: Date) {
  return {
    subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
    uri: url,
    certChain: { certificates: chain.map((c) => ({ rawBytes: Buffer.from(c.buffer) })) },
    validFor: { start },
    operator: 'mock',
  }
}
