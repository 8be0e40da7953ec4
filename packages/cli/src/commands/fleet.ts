import { SquizzleError } from '@squizzle/core'
import { versionArguments } from '../args.js'
import { applyFleet, planFleet, showFleetStatus } from '../fleet/run-fleet.js'
import { parseShardFlag } from '../fleet/shard-flag.js'
import type { Command } from './command.js'

export const fleetCommand: Command = {
  name: 'fleet',
  summary: "Roll one version out to every database of the config's fleet: plan, apply (staged, bounded), status",
  usage: 'squizzle fleet plan|apply [version[@sha256:…]] | status  [--shard INDEX/COUNT]',
  details: [
    "The targets (fleet.targets) come from a list, a file, a command's output or a control-database query; each",
    'target is applied as `squizzle apply` would (verification, signature policy, lock, one transaction, audit).',
    'plan    per target its current version and the versions apply would run; changes nothing',
    'apply   the stages (fleet.stages) in order, `parallel` targets at once; a stage starts only after the one',
    "        before it succeeded; past a stage's maxFailures the rollout halts and the rest are skipped",
    'status  per target its current version, pending versions, failed runs and lock holder, read from the databases',
    '[version]            the version every target goes to (default: the newest stored)',
    '--shard INDEX/COUNT  only this shard of the targets (INDEX from 0; by name, so every runner agrees),',
    '                     e.g. a Kubernetes Indexed Job: --shard $JOB_COMPLETION_INDEX/4',
    "Each database's history decides what runs: after a crash, a kill or a halt, apply again finishes what is",
    'left and never runs a version twice. Exit 0 when every target is at the version, 1 when any failed,',
    '3, 4 or 5 when every failure is an integrity, signature or lock failure; 130 after Ctrl-C.',
  ],
  examples: [
    'squizzle fleet plan',
    'squizzle fleet apply 1.4.0',
    'squizzle fleet apply --shard 2/4 --json',
    'squizzle fleet status --json | jq .versions',
  ],
  options: { shard: { type: 'string' } },
  async run(ctx, args) {
    const [action, ...rest] = args.positionals
    if (ctx.flags.schema !== undefined) {
      throw new SquizzleError('USAGE', 'fleet takes each tenant schema from its target, not from --schema', {
        hint: 'Give the targets of fleet.targets a schema (e.g. { name: acme, url: env:DB_URL, schema: acme }).',
      })
    }
    const shardOf = parseShardFlag(args.values['shard'] as string | undefined)
    if (action === 'status') {
      versionArguments(rest, 'fleet status', { min: 0, max: 0 })
      return showFleetStatus(ctx, shardOf)
    }
    if (action === 'plan' || action === 'apply') {
      const [version] = versionArguments(rest, `fleet ${action}`, { min: 0, max: 1 }, { pinned: true })
      return action === 'plan' ? planFleet(ctx, version, shardOf) : applyFleet(ctx, version, shardOf)
    }
    throw new SquizzleError('USAGE', 'fleet takes one action: plan, apply or status', {
      hint: 'Example: squizzle fleet plan, squizzle fleet apply 1.4.0, or squizzle fleet status',
    })
  },
}
