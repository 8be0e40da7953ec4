import { afterEach, beforeEach, describe, it } from 'vitest'
import type { ContentTarget } from '../oci/content-target.js'
import { contentTargetChecks } from './target-suite/checks.js'

/** What a target factory hands the conformance suite: a fresh, empty target per test. */
export interface ContentTargetFixture {
  target: ContentTarget
  /** Removes whatever the target left behind (temp dirs, repositories). */
  cleanup?: () => Promise<void>
}

/**
 * Registers the vitest specification every {@link ContentTarget} meets, one test
 * per entry of `contentTargetChecks`: pushed content exists and fetches back byte
 * for byte, from a stream as from memory; a push of content already held is a
 * no-op success; content that does not match its descriptor is refused with
 * `DIGEST_MISMATCH` and stores nothing; missing content and names are
 * `VERSION_NOT_FOUND`; `resolve` finds a manifest by digest and by tag (tags move
 * when tagged again); a manifest that was never pushed cannot be tagged; `tags()`
 * lists each tag once; the optional `delete` and `referrers` behave when offered;
 * and calls may overlap (`concurrentCalls` pushes and fetches at once).
 *
 * @example
 * ```ts
 * import { describeContentTarget } from '@squizzle/core/testing'
 *
 * describeContentTarget('my S3 target', async () => {
 *   const bucket = await createTempBucket()
 *   return { target: new S3Target(bucket), cleanup: () => bucket.remove() }
 * })
 * ```
 */
export function describeContentTarget(name: string, factory: () => Promise<ContentTargetFixture>): void {
  describe(`ContentTarget conformance: ${name}`, () => {
    let fixture: ContentTargetFixture
    beforeEach(async () => {
      fixture = await factory()
    })
    afterEach(async () => {
      await fixture.cleanup?.()
    })
    for (const check of contentTargetChecks) {
      it(check.name, async ({ skip }) => {
        if (check.applies?.(fixture.target) === false) return skip('the target does not offer this optional method')
        await check.run(fixture.target)
      })
    }
  })
}
