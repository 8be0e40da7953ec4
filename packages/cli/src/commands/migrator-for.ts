import { currentActor, Migrator, type DatabaseDriver } from '@squizzle/core'
import type { CommandContext } from '../context.js'
import type { StorageUse } from '../storage-presence.js'
import { trustPolicyFor } from '../security/trust-policy.js'
import { toolVersion } from '../tool-version.js'

/**
 * The engine wired with this invocation's storage, driver, settings and reporter.
 * The storage must exist unless `storage: 'optional'` (rollback and repair, which
 * work from what the database kept).
 *
 * @example
 * ```ts
 * const migrator = await migratorFor(ctx, driver, { allowOutOfOrder: true })
 * ```
 */
export async function migratorFor(
  ctx: CommandContext,
  driver: DatabaseDriver,
  extra: { allowOutOfOrder?: boolean; allowUnchained?: boolean; storage?: StorageUse } = {},
): Promise<Migrator> {
  const policy = await trustPolicyFor(ctx)
  return new Migrator({
    storage: await ctx.openStorage(extra.storage ?? 'required'),
    driver,
    toolVersion,
    actor: currentActor(ctx.io.env),
    events: ctx.reporter.onEvent,
    lockTimeoutMs: ctx.lockTimeoutMs(),
    allowOutOfOrder: extra.allowOutOfOrder ?? ctx.settings.allowOutOfOrder ?? false,
    allowUnchained: extra.allowUnchained === true,
    // Seeds run unless the environment says otherwise (`seeds: false`), as they always did.
    seeds: ctx.settings.seeds ?? true,
    ...(ctx.settings.limits ? { limits: ctx.settings.limits } : {}),
    ...(policy ? { policy } : {}),
  })
}
