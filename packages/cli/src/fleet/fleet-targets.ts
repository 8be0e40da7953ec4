import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import YAML from 'yaml'
import { checkTargets, resolveConnection, SquizzleError, type FleetTarget } from '@squizzle/core'
import type { FleetSettings } from '@squizzle/core/config'
import type { CommandContext } from '../context.js'
import { commandTargets } from './command-targets.js'
import { queryTargets } from './query-targets.js'
import { targetRows } from './target-rows.js'

/**
 * The fleet of the config (`fleet` of the environment): its targets, read from wherever
 * they come from, checked, and every connection's password registered as a secret
 * before anything is printed. Usage error when the config has no fleet.
 *
 * @example
 * ```ts
 * const { targets, stages } = await loadFleet(ctx)
 * ```
 */
export async function loadFleet(
  ctx: CommandContext,
): Promise<{ targets: FleetTarget[]; stages: FleetSettings['stages'] }> {
  const fleet = ctx.settings.fleet
  if (!fleet) {
    throw new SquizzleError('USAGE', 'the config has no fleet', {
      hint:
        'Add a fleet block (targets and stages) to squizzle.config.yaml, ' +
        'or select the environment that has one (--env).',
    })
  }
  const targets = await readTargets(ctx, fleet.targets)
  checkTargets(targets)
  for (const target of targets) {
    ctx.registerUrlSecrets(target.url)
    // An unset env: variable is this target's own error when it is connected; the others go on.
    const connection = tryResolve(target, ctx.io.env)
    if (connection) ctx.registerUrlSecrets(connection)
  }
  return { targets, stages: fleet.stages }
}

async function readTargets(ctx: CommandContext, source: FleetSettings['targets']): Promise<FleetTarget[]> {
  if (Array.isArray(source))
    return targetRows(source, ctx.loaded.file ? ctx.displayPath(ctx.loaded.file) : 'the config')
  if ('file' in source) return fileTargets(ctx, source.file)
  const secrets = () => ctx.secretValues()
  if ('command' in source) return commandTargets(source.command, { cwd: ctx.root, env: ctx.io.env, secrets })
  const { connection } = resolveConnection({ name: 'the control database', url: source.url }, ctx.io.env)
  ctx.registerUrlSecrets(connection)
  const connectTimeoutSeconds = Math.ceil(ctx.connectTimeoutMs() / 1000)
  return queryTargets(source.query, connection, { secrets, connectTimeoutSeconds })
}

/** A YAML or JSON file (relative to the config) holding the list of targets. */
async function fileTargets(ctx: CommandContext, file: string): Promise<FleetTarget[]> {
  const path = resolve(ctx.root, file)
  const shown = ctx.displayPath(path)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new SquizzleError('FLEET_TARGETS_UNAVAILABLE', `the fleet's target file ${shown} cannot be read (${why})`, {
      hint: 'Check fleet.targets.file: it is relative to the config file.',
    })
  }
  try {
    return targetRows(YAML.parse(text), shown)
  } catch (err) {
    if (err instanceof YAML.YAMLParseError)
      throw new SquizzleError('FLEET_TARGET_INVALID', `${shown} is not YAML or JSON`, {
        hint: 'Write the targets as a YAML or JSON list of { name, url, labels }.',
      })
    throw err
  }
}

function tryResolve(target: FleetTarget, env: NodeJS.ProcessEnv): string | null {
  try {
    return resolveConnection(target, env).connection
  } catch {
    return null
  }
}
