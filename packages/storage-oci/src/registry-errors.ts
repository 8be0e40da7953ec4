import { redactSecrets, SquizzleError, type SquizzleErrorCode } from '@squizzle/core'
import type { HttpResponse } from './http-response.js'
import type { NetworkFailure, RetryAfterRefused } from './http-transport.js'
import { retryAfterMs } from './retry-policy.js'
import type { BodyInterrupted } from './watched-body.js'

/** What was being done, for error messages: `push blob sha256:… to 127.0.0.1:5000/mig/app`. */
export interface Operation {
  registry: string
  repository: string
  /** e.g. `upload blob sha256:ab…`, `tag 1.2.0`, `list tags`. */
  action: string
}

/** One entry of a registry's `{"errors":[…]}` body. */
export interface RegistryErrorEntry {
  code: string
  message: string
}

const maxErrorBodyBytes = 64 * 1024

/**
 * The typed error for a registry response that is not what the operation needed.
 * Names the registry, repository and operation, and carries the registry's own
 * `errors[].code/message`; every known secret is scrubbed from the text, and no
 * request header is ever included.
 *
 * @example
 * ```ts
 * if (!res.ok) throw await responseError(res, { registry, repository, action: 'tag 1.2.0' }, secrets)
 * ```
 */
export async function responseError(
  res: HttpResponse,
  op: Operation,
  secrets: string[],
  extraHint?: string,
): Promise<SquizzleError> {
  const entries = await readErrorEntries(res)
  const detail = entries.length
    ? entries.map((e) => `${e.code}: ${e.message}`).join('; ')
    : res.statusText || 'no details'
  const code = codeFor(res.status, entries)
  const message = redactSecrets(`${op.action} on ${where(op)} failed: HTTP ${res.status} (${detail})`, secrets)
  const asked = retryAfterMs(res.headers.get('retry-after'))
  const wait = asked === undefined ? [] : [`The registry asked to wait ${Math.ceil(asked / 1000)} s (Retry-After).`]
  const hints = [hintFor(code, op), ...(extraHint ? [extraHint] : []), ...wait]
  return new SquizzleError(code, message, {
    hint: hints.join(' '),
    details: {
      registry: op.registry,
      repository: op.repository,
      operation: op.action,
      status: res.status,
      registryErrors: entries.map((e) => ({ code: e.code, message: redactSecrets(e.message, secrets) })),
    },
  })
}

/**
 * The typed error when no response came back at all, after every retry.
 *
 * @example
 * ```ts
 * throw networkError(failure, { registry, repository, action: 'list tags' }, secrets)
 * ```
 */
export function networkError(failure: NetworkFailure, op: Operation, secrets: string[]): SquizzleError {
  return new SquizzleError(
    'REGISTRY_UNAVAILABLE',
    redactSecrets(
      `${op.action} on ${where(op)} failed after ${failure.attempts} attempt(s): ${failure.reason}`,
      secrets,
    ),
    {
      hint: `Check that ${op.registry} is reachable from here (network, proxy, TLS; add ?plain-http=true only for a registry without TLS) and try again; nothing was tagged, so a retry is safe.`,
      details: { registry: op.registry, repository: op.repository, operation: op.action, attempts: failure.attempts },
    },
  )
}

/**
 * The typed error when the registry asked (`Retry-After`) to wait longer than the
 * retry budget allows: it says how long, instead of waiting less than asked.
 *
 * @example
 * ```ts
 * throw retryAfterError(refused, { registry, repository, action: 'upload blob sha256:…' })
 * ```
 */
export function retryAfterError(refused: RetryAfterRefused, op: Operation): SquizzleError {
  const seconds = Math.ceil(refused.retryAfterMs / 1000)
  const budget = Math.round(refused.budgetMs / 1000)
  const message = `${op.action} on ${where(op)} failed: ${refused.message}, more than the ${budget} s retry budget`
  return new SquizzleError('REGISTRY_UNAVAILABLE', `${message} allows`, {
    hint: `${op.registry} asked to wait ${seconds} s. Retry then, or allow a longer retry budget; nothing was tagged.`,
    details: {
      ...opDetails(op),
      status: refused.status,
      retryAfterMs: refused.retryAfterMs,
      budgetMs: refused.budgetMs,
      attempts: refused.attempts,
    },
  })
}

/**
 * The typed error for a response body that stalled (`REGISTRY_TIMEOUT`) or was
 * cut off (`REGISTRY_UNAVAILABLE`) and could not be resumed, naming how far it got.
 *
 * @example
 * ```ts
 * throw interruptedError(err, { registry, repository, action: 'download blob sha256:…' }, desc.size)
 * ```
 */
export function interruptedError(err: BodyInterrupted, op: Operation, expected?: number, attempts = 1): SquizzleError {
  const got = `${err.received}${expected === undefined ? '' : ` of ${expected}`} bytes (${attempts} attempt(s))`
  const details = { ...opDetails(op), received: err.received, ...(expected === undefined ? {} : { expected }) }
  const what = `${op.action} from ${where(op)}`
  if (err.kind === 'stalled') {
    const silent = `nothing arrived for ${err.idleTimeoutMs} ms after ${got}`
    return new SquizzleError('REGISTRY_TIMEOUT', `${what} stalled: ${silent}`, {
      hint: `${op.registry} stopped sending. Nothing was stored from it; try again, or allow a longer timeout.`,
      cause: err,
      details: { ...details, attempts, idleTimeoutMs: err.idleTimeoutMs },
    })
  }
  return new SquizzleError('REGISTRY_UNAVAILABLE', `${what} was cut off after ${got}`, {
    hint: 'The connection to the registry broke; nothing was stored from this download. Try again.',
    cause: err,
    details: { ...details, attempts },
  })
}

/**
 * `VERSION_NOT_FOUND` for something the repository does not hold.
 *
 * @example
 * ```ts
 * throw notFound(client, 'tag 1.2.0')
 * ```
 */
export function notFound(client: { location: { registry: string; repository: string } }, what: string): SquizzleError {
  return new SquizzleError(
    'VERSION_NOT_FOUND',
    `${what} is not in ${client.location.registry}/${client.location.repository}`,
    {
      hint: 'List the versions the registry holds, and check the repository name.',
      remedies: [{ operation: 'list' }],
      details: { registry: client.location.registry, repository: client.location.repository },
    },
  )
}

function opDetails(op: Operation): Record<string, string> {
  return { registry: op.registry, repository: op.repository, operation: op.action }
}

function where(op: Operation): string {
  return `${op.registry}/${op.repository}`
}

function codeFor(status: number, entries: RegistryErrorEntry[]): SquizzleErrorCode {
  const codes = new Set(entries.map((e) => e.code))
  if (status === 401 || status === 403 || codes.has('UNAUTHORIZED') || codes.has('DENIED'))
    return 'REGISTRY_UNAUTHORIZED'
  if (codes.has('DIGEST_INVALID') || codes.has('SIZE_INVALID')) return 'DIGEST_MISMATCH'
  if (status === 405 || codes.has('UNSUPPORTED')) return 'STORAGE_UNSUPPORTED'
  if (status === 429 || status >= 500) return 'REGISTRY_UNAVAILABLE'
  return 'STORAGE_ERROR'
}

function hintFor(code: SquizzleErrorCode, op: Operation): string {
  switch (code) {
    case 'REGISTRY_UNAUTHORIZED':
      return `Check the credentials for ${op.registry} (SQUIZZLE_REGISTRY_USERNAME/PASSWORD or docker login) and that they may push/pull ${op.repository}.`
    case 'DIGEST_MISMATCH':
      return 'The registry received bytes that do not match their digest: the source changed or the connection corrupted them. Nothing was tagged; push again.'
    case 'STORAGE_UNSUPPORTED':
      return `${op.registry} does not allow this operation (e.g. deletion disabled); use the registry's own tools.`
    case 'REGISTRY_UNAVAILABLE':
      return `${op.registry} is failing or rate-limiting; retry later. Nothing was tagged, so a retry is safe.`
    default:
      return 'See the registry error above; check the repository name and the registry logs.'
  }
}

async function readErrorEntries(res: HttpResponse): Promise<RegistryErrorEntry[]> {
  let text: string
  try {
    text = await res.text(maxErrorBodyBytes)
  } catch {
    return []
  }
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] }
    return (parsed.errors ?? []).map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: String(e.message ?? '') }))
  } catch {
    const line = text.trim().split('\n')[0]?.slice(0, 200)
    return line ? [{ code: 'UNKNOWN', message: line }] : []
  }
}
