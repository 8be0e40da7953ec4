import { execFile } from 'node:child_process'
import { createSign, randomUUID, X509Certificate } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '@squizzle/driver-postgres/embedded'

const issuerName = 'squizzle-test-issuer'

/** The token server a test registry in token mode trusts. */
export interface TokenIssuer {
  /** The `iss` of its tokens, which the registry's config names. */
  name: string
  realm: string
  certFile: string
  tokensIssued(): number
  /** Every token handed out, so tests can check none of them is ever shown. */
  tokens(): readonly string[]
  close(): Promise<void>
}

/** The issuer's signing key and the self-signed certificate (DER, base64) tokens carry in `x5c`. */
interface IssuerKey {
  key: string
  certDer: string
}

/**
 * A minimal token server (distribution's token auth spec): checks Basic credentials
 * and signs an RS256 JWT whose `x5c` header carries a self-signed certificate the
 * registry trusts through `rootcertbundle`. Anonymous requests get a token with no access.
 *
 * @example
 * ```ts
 * const issuer = await startTokenIssuer(dir, { username: 'ci', password }, 'squizzle-test-registry')
 * ```
 */
export async function startTokenIssuer(
  dir: string,
  credentials: { username: string; password: string },
  service: string,
): Promise<TokenIssuer> {
  const certFile = join(dir, 'issuer.crt')
  const signer = await issuerKey(join(dir, 'issuer.key'), certFile)
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
  const tokens: string[] = []
  const server: Server = createServer((req, res) => {
    const authorization = req.headers.authorization
    if (authorization !== undefined && authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"invalid credentials"}')
      return
    }
    const subject = authorization ? credentials.username : null
    issueToken(req, res, signer, { subject, service, tokens })
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    name: issuerName,
    realm: `http://127.0.0.1:${port}/token`,
    certFile,
    tokensIssued: () => tokens.length,
    tokens: () => tokens,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** Creates the RSA key and self-signed certificate with openssl. */
async function issuerKey(keyFile: string, certFile: string): Promise<IssuerKey> {
  await promisify(execFile)(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${issuerName}`,
    ],
    { timeout: 120_000 },
  )
  const key = await readFile(keyFile, 'utf8')
  const certDer = new X509Certificate(await readFile(certFile)).raw.toString('base64')
  return { key, certDer }
}

/** Answers with a signed token granting the requested scopes to a user, and nothing to an anonymous request. */
function issueToken(
  req: IncomingMessage,
  res: ServerResponse,
  signer: IssuerKey,
  grant: { subject: string | null; service: string; tokens: string[] },
): void {
  const url = new URL(req.url ?? '/', 'http://issuer')
  const access =
    grant.subject === null
      ? []
      : url.searchParams
          .getAll('scope')
          .map(parseScope)
          .filter((a) => a !== null)
  const now = Math.floor(Date.now() / 1000)
  const header = { typ: 'JWT', alg: 'RS256', x5c: [signer.certDer] }
  const claims = {
    iss: issuerName,
    sub: grant.subject ?? '',
    aud: url.searchParams.get('service') ?? grant.service,
    exp: now + 300,
    nbf: now - 10,
    iat: now,
    jti: randomUUID(),
    access,
  }
  const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  const signature = createSign('RSA-SHA256').update(signing).sign(signer.key).toString('base64url')
  grant.tokens.push(`${signing}.${signature}`)
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      token: `${signing}.${signature}`,
      expires_in: 300,
      issued_at: new Date(now * 1000).toISOString(),
    }),
  )
}

function parseScope(scope: string): { type: string; name: string; actions: string[] } | null {
  const match = /^([a-z]+):(.+):([a-z*,]+)$/.exec(scope)
  return match ? { type: match[1]!, name: match[2]!, actions: match[3]!.split(',') } : null
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}
