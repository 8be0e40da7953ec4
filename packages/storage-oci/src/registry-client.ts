import { readSmall } from '@squizzle/core/oci'
import type { CredentialSource } from './credentials.js'
import type { HttpResponse } from './http-response.js'
import { NetworkFailure, RetryAfterRefused, sendWithRetries, type HttpRequest } from './http-transport.js'
import { RegistryAuth, type Access } from './registry-auth.js'
import { interruptedError, networkError, responseError, retryAfterError, type Operation } from './registry-errors.js'
import type { RegistryLocation } from './registry-url.js'
import { defaultRetryPolicy, type RetryPolicy } from './retry-policy.js'
import { BodyInterrupted } from './watched-body.js'

/** Options of the registry client. */
export interface RegistryClientOptions {
  /** Credentials, or a lookup per registry host (see `dockerCredentials`). Anonymous when absent. */
  credentials?: CredentialSource
  /** Overrides of {@link defaultRetryPolicy}. */
  retry?: Partial<RetryPolicy>
}

/** A request relative to the repository (`blobs/sha256:…`) or an absolute URL (an upload `Location`). */
export type RegistryRequest = Omit<HttpRequest, 'url' | 'headers'> & {
  path: string
  headers?: Record<string, string>
  /** At most this many attempts instead of the policy's (1 for best-effort clean-ups). */
  attempts?: number
}

/**
 * HTTP to one repository of one registry: authentication, retries, and typed
 * errors that name the registry, repository and operation. Every other module
 * talks to the registry through it.
 */
export class RegistryClient {
  readonly policy: RetryPolicy
  private readonly auth: RegistryAuth

  constructor(
    readonly location: RegistryLocation,
    options: RegistryClientOptions = {},
  ) {
    this.policy = { ...defaultRetryPolicy, ...options.retry }
    this.auth = new RegistryAuth(location, options.credentials, this.policy)
  }

  /** The URL of `path` under `/v2/<repository>/`, or `path` resolved against the registry when it is absolute. */
  url(path: string): string {
    if (/^https?:\/\//.test(path)) return path
    if (path.startsWith('/')) return new URL(path, this.location.baseUrl).toString()
    return `${this.location.baseUrl}/v2/${this.location.repository}/${path}`
  }

  /** An {@link Operation} for messages. */
  op(action: string): Operation {
    return { registry: this.location.registry, repository: this.location.repository, action }
  }

  /**
   * Sends a request with the credentials the registry wants, answering one
   * authentication challenge. Returns the response whatever its status; throws
   * `REGISTRY_UNAVAILABLE` when no response came back after every retry.
   */
  async send(action: string, access: Access, request: RegistryRequest): Promise<HttpResponse> {
    // A streamed body can be sent once only: no retry, no replay after an auth challenge.
    const streamed = request.body !== undefined && !(request.body instanceof Uint8Array)
    const attempts = streamed ? 1 : request.attempts
    const policy = attempts ? { ...this.policy, maxAttempts: attempts } : this.policy
    try {
      const attempt = async (): Promise<{ res: HttpResponse; authorized: boolean }> => {
        const authorization = await this.auth.authorization(access)
        const headers: Record<string, string> = {
          'user-agent': 'squizzle',
          ...request.headers,
          ...(authorization ? { authorization } : {}),
        }
        const res = await sendWithRetries(
          {
            method: request.method,
            url: this.url(request.path),
            headers,
            ...(request.body ? { body: request.body } : {}),
          },
          policy,
        )
        return { res, authorized: authorization !== undefined }
      }
      const first = await attempt()
      if (first.res.status !== 401 || streamed) return first.res
      if (!(await this.auth.challenge(first.res.headers.get('www-authenticate'), access, first.authorized)))
        return first.res
      await first.res.discard()
      return (await attempt()).res
    } catch (err) {
      if (err instanceof NetworkFailure) throw networkError(err, this.op(action), await this.auth.secrets())
      if (err instanceof RetryAfterRefused) throw retryAfterError(err, this.op(action))
      throw err
    }
  }

  /**
   * Reads a small response body (a manifest, an index, a tag page) into memory;
   * a body that stalls or breaks is a typed error naming the operation.
   */
  async readBody(res: HttpResponse, action: string, maxBytes: number): Promise<Buffer> {
    try {
      return await readSmall(res.body, maxBytes, action)
    } catch (err) {
      if (err instanceof BodyInterrupted) throw interruptedError(err, this.op(action))
      throw err
    }
  }

  /** Sends, and throws the registry's error unless the status is one of `ok`. */
  async expect(action: string, access: Access, request: RegistryRequest, ok: number[]): Promise<HttpResponse> {
    const res = await this.send(action, access, request)
    if (!ok.includes(res.status)) throw await this.error(res, action)
    return res
  }

  /** The typed error for an unexpected response (its body is consumed). */
  async error(res: HttpResponse, action: string, extraHint?: string): Promise<Error> {
    return responseError(res, this.op(action), await this.auth.secrets(), extraHint)
  }
}
