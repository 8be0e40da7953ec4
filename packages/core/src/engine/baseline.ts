import { SquizzleError } from '../errors/squizzle-error.js'
import { compareVersions, parseVersion } from '../version/version.js'
import { guarded, refuse, underLock, type OperationContext } from './operation.js'
import { verifyPulled } from './verify-version.js'

export interface BaselineOptions {
  /** Baseline even though Squizzle already applied versions to this database. */
  force?: boolean | undefined
}

export interface BaselineResult {
  version: string
  digest: string
  /** Stored versions at or below the baseline that will never be applied here. */
  covered: string[]
}

/**
 * Marks an existing database as being at `version` without running any SQL
 * (Flyway's `baseline`): the version's verified manifest is recorded as a
 * `baseline` history row, and it and every stored version below it count as
 * part of the schema. Refuses (`HISTORY_NOT_EMPTY`) when Squizzle already
 * applied versions here, unless `force`; never baselines below the current version.
 *
 * @example
 * ```ts
 * await baselineVersion(ctx, '1.4.0') // then `apply` runs only versions above 1.4.0
 * ```
 */
export async function baselineVersion(ctx: OperationContext, version: string, options: BaselineOptions = {}): Promise<BaselineResult> {
  const wanted = parseVersion(version)
  return underLock(ctx, async (state) => {
    if (state.current !== null && compareVersions(wanted, state.current) <= 0) {
      await refuse(ctx, 'baseline', wanted, new SquizzleError('HISTORY_NOT_EMPTY', `the database is already at ${state.current}; a baseline at ${wanted} would rewrite applied history`, {
        hint: 'Baseline marks a database that Squizzle has not managed yet. Use rollback to go back, or baseline at a version above the current one.',
        details: { version: wanted, current: state.current },
      }))
    }
    const applies = state.applied.filter((e) => e.operation === 'apply')
    if (applies.length > 0 && !options.force) {
      await refuse(ctx, 'baseline', wanted, new SquizzleError('HISTORY_NOT_EMPTY', `Squizzle already applied ${applies.length} version(s) to this database (current ${state.current})`, {
        hint: 'Baseline is for databases Squizzle has not managed yet. If the versions up to this one were really applied by hand, pass --force.',
        details: { version: wanted, current: state.current },
      }))
    }
    const started = new Date()
    const pulled = await guarded(ctx, 'baseline', wanted, () => ctx.storage.pull(wanted))
    await guarded(ctx, 'baseline', wanted, () => verifyPulled(ctx.storage, pulled, { limits: ctx.limits, events: ctx.events }))
    // Marked applied with its history row, under the lock proven just before COMMIT, like an apply.
    await ctx.driver.transaction(async (tx) => {
      await tx.claimVersion({ version: wanted, manifestDigest: pulled.ref.digest, operation: 'baseline' })
      await tx.record({
        operation: 'baseline',
        version: wanted,
        status: 'success',
        manifestDigest: pulled.ref.digest,
        checksum: pulled.manifest.checksum.value,
        manifest: pulled.manifest,
        actor: ctx.actor.user,
        host: ctx.actor.host,
        toolVersion: ctx.toolVersion,
        startedAt: started,
        finishedAt: new Date(),
        error: null,
      })
      await tx.assertLockHeld()
    })
    const appliedVersions = new Set(state.applied.map((e) => e.version))
    const covered = (await ctx.storage.list()).map((v) => v.version).filter((v) => compareVersions(v, wanted) <= 0 && !appliedVersions.has(v)).sort(compareVersions)
    await ctx.driver.audit({ operation: 'baseline', outcome: 'success', version: wanted, actor: ctx.actor.user, host: ctx.actor.host, details: { digest: pulled.ref.digest, covered, force: options.force === true } })
    return { version: wanted, digest: pulled.ref.digest, covered }
  })
}
