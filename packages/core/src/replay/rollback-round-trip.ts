import { SquizzleError } from '../errors/squizzle-error.js'
import type { EventSink } from '../events/events.js'
import { diffSnapshots, summarizeDifferences } from '../snapshot/diff-snapshots.js'
import type { SchemaSnapshot } from '../snapshot/schema-snapshot.js'
import type { ReplayCheck, ReplayContext } from './replay-versions.js'

/** How many differences an error message names before it says "and N more". */
const namedInMessage = 5

/**
 * The `build --check` proof, run on the replay's scratch database: rolls the new
 * version back and requires the schema of the version below it, then applies it
 * again and requires the schema the replay recorded. An irreversible version is
 * reported as not checked (there is nothing to run). Throws
 * `ROLLBACK_CHECK_FAILED` naming the differences; the build then stores nothing.
 *
 * @example
 * ```ts
 * await buildVersion({ ...options, snapshot: { scratch, checks: [rollbackRoundTrip(events)] } })
 * ```
 */
export function rollbackRoundTrip(events: EventSink): ReplayCheck {
  return async (ctx: ReplayContext) => {
    const started = Date.now()
    const { manifest } = await ctx.storage.pull(ctx.target)
    if (manifest.irreversible) {
      events({
        type: 'replay.check',
        check: 'rollback',
        target: ctx.target,
        outcome: 'skipped',
        reason: 'the version is marked irreversible',
        durationMs: 0,
      })
      return
    }
    // Forced: the engine's own check compares with the stored snapshot of the version below,
    // maybe taken on another server; this proof compares with this replay's schema instead.
    await ctx.migrator.rollback({ force: true })
    expectSame(ctx.before, await ctx.snapshot(), ctx, 'rollback')
    await ctx.migrator.apply(ctx.target)
    expectSame(ctx.after, await ctx.snapshot(), ctx, 'reapply')
    events({
      type: 'replay.check',
      check: 'rollback',
      target: ctx.target,
      outcome: 'passed',
      durationMs: Date.now() - started,
    })
  }
}

function expectSame(
  expected: SchemaSnapshot,
  actual: SchemaSnapshot,
  ctx: ReplayContext,
  step: 'rollback' | 'reapply',
): void {
  const differences = diffSnapshots(expected, actual)
  if (differences.length === 0) return
  const below = ctx.previous === null ? 'an empty database' : `version ${ctx.previous}`
  const what =
    step === 'rollback'
      ? `rolling back ${ctx.target} does not return the schema to that of ${below}`
      : `applying ${ctx.target} again after its rollback does not give the schema it gave the first time`
  throw new SquizzleError('ROLLBACK_CHECK_FAILED', `${what}: ${summarizeDifferences(differences, namedInMessage)}`, {
    hint:
      step === 'rollback'
        ? `Make the files under rollback/ of ${ctx.target} undo every change it makes (or mark the version ` +
          'irreversible if it cannot be undone), then build again.'
        : `The rollback of ${ctx.target} leaves something behind that its own SQL then meets (e.g. IF NOT EXISTS ` +
          'skipping an object that differs). Make the rollback complete, then build again.',
    remedies: step === 'rollback' ? [{ operation: 'build', args: [ctx.target], options: { irreversible: true } }] : [],
    details: { target: ctx.target, previous: ctx.previous, step, differences: differences.slice(0, 50) },
  })
}
