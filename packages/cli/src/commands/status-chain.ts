import { unchainedError, type ChainStatus } from '@squizzle/core'

/**
 * The lines `status` prints about the chain of versions: the current version
 * missing from storage, and each pending version apply would refuse. None when
 * the chain is whole.
 *
 * @example
 * ```ts
 * for (const line of describeChain(report.chain, storage.name)) r.line(c.red(line))
 * ```
 */
export function describeChain(chain: ChainStatus, storage: string): string[] {
  const lines: string[] = []
  const missing = chain.currentNotStored
  if (missing) {
    const digest = missing.digest ? ` (applied as ${missing.digest})` : ''
    lines.push(
      `Missing  ${storage} does not hold the database's current version ${missing.version}${digest}: ` +
        'nothing there is known to build on it. Point --storage at the storage it came from, or push it there; ' +
        'apply refuses a version built without it.',
    )
  }
  for (const broken of chain.unchained) {
    lines.push(`Unchained ${unchainedError(broken).message}: apply will refuse it (UNCHAINED_VERSION)`)
  }
  return lines
}
