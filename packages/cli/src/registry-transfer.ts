import { SquizzleError } from '@squizzle/core'
import type { RetryPolicy } from '@squizzle/storage-oci'
import { parseDuration } from './args.js'

/** The options of commands that talk to a registry (`push`, `pull`), each with an environment variable. */
export const transferOptions = {
  retries: { type: 'string' },
  timeout: { type: 'string' },
  'retry-budget': { type: 'string' },
} as const

/** `--help` lines of {@link transferOptions}. */
export const transferHelp = [
  '--retries N      retries of a failed request; downloads resume where they stopped (default 4)',
  '                 (SQUIZZLE_REGISTRY_RETRIES)',
  '--timeout D      the longest the registry may send nothing: for a response to start, or in a body',
  '                 (default 5m for a response, 30s in a body; SQUIZZLE_REGISTRY_TIMEOUT)',
  '--retry-budget D no retry starts after this long without progress; a longer Retry-After fails at once',
  '                 naming the wait (default 1m; SQUIZZLE_REGISTRY_RETRY_BUDGET)',
]

/** The values of {@link transferOptions} a command was given. */
export type TransferValues = Readonly<Record<string, string | boolean | string[] | undefined>>

const maxRetries = 100

/**
 * The registry retry policy of this invocation: `--retries`, `--timeout` and
 * `--retry-budget` over `SQUIZZLE_REGISTRY_RETRIES`, `_TIMEOUT` and `_RETRY_BUDGET`
 * over the client's defaults. A bad value is a usage error naming where it came from.
 *
 * @example
 * ```ts
 * registryRetry({ SQUIZZLE_REGISTRY_TIMEOUT: '10s' }, { retries: '2' })
 * // { maxAttempts: 3, idleTimeoutMs: 10000, requestTimeoutMs: 10000 }
 * ```
 */
export function registryRetry(
  env: Readonly<Record<string, string | undefined>>,
  values: TransferValues = {},
): Partial<RetryPolicy> {
  const pick = (flag: string, variable: string): { text: string; from: string } | undefined => {
    const given = values[flag]
    if (typeof given === 'string') return { text: given, from: `--${flag}` }
    const fromEnv = env[variable]
    return fromEnv === undefined || fromEnv === '' ? undefined : { text: fromEnv, from: variable }
  }
  const retries = pick('retries', 'SQUIZZLE_REGISTRY_RETRIES')
  const timeout = pick('timeout', 'SQUIZZLE_REGISTRY_TIMEOUT')
  const budget = pick('retry-budget', 'SQUIZZLE_REGISTRY_RETRY_BUDGET')
  const timeoutMs = timeout && positiveDuration(timeout)
  return {
    ...(retries ? { maxAttempts: retryCount(retries) + 1 } : {}),
    ...(timeoutMs ? { idleTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs } : {}),
    ...(budget ? { maxElapsedMs: positiveDuration(budget) } : {}),
  }
}

function retryCount(value: { text: string; from: string }): number {
  const n = /^\d+$/.test(value.text.trim()) ? Number(value.text.trim()) : Number.NaN
  if (Number.isSafeInteger(n) && n <= maxRetries) return n
  throw new SquizzleError('USAGE', `${value.from}: "${value.text.slice(0, 40)}" is not a number of retries`, {
    hint: `Use a whole number from 0 (no retry) to ${maxRetries}, e.g. --retries 4.`,
  })
}

function positiveDuration(value: { text: string; from: string }): number {
  const ms = parseDuration(value.text.slice(0, 40), value.from)
  if (ms > 0) return ms
  const hint = 'Use a duration such as 30s or 2m.'
  throw new SquizzleError('USAGE', `${value.from}: the duration must be more than 0`, { hint })
}
