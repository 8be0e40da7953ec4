/**
 * Polls `check` until it holds. The deadline is generous: on a loaded machine a process
 * takes seconds to start, and a test must not fail because the machine is busy.
 *
 * @example
 * ```ts
 * await waitFor(async () => (await probe.lockHolder()) === null, 'the lock to be released')
 * ```
 */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`gave up waiting ${timeoutMs / 1000} s for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
