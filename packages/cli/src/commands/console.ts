import { redactUrl, resolveConnection, SquizzleError } from '@squizzle/core'
import type { ConsoleTarget } from '@squizzle/console'
import { versionArguments } from '../args.js'
import { CommandContext } from '../context.js'
import { exitCodes } from '../exit-codes.js'
import { fleetDriverFactory } from '../fleet/fleet-driver.js'
import { loadFleet } from '../fleet/fleet-targets.js'
import { trustPolicyFor } from '../security/trust-policy.js'
import type { Command } from './command.js'

type ConsoleModule = typeof import('@squizzle/console')

/** @squizzle/console is an optional peer dependency: only `squizzle console` needs it. */
async function loadConsole(): Promise<ConsoleModule> {
  try {
    return await import('@squizzle/console')
  } catch (cause) {
    const missing =
      (cause as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(cause).includes('@squizzle/console')
    if (!missing) throw cause
    throw new SquizzleError('CONSOLE_MISSING', 'the web console is not installed', {
      hint: 'Install it next to the CLI: npm install --save-dev @squizzle/console',
      cause,
    })
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 4400
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new SquizzleError('USAGE', `--port must be a port number (0-65535), not "${value}"`, {
      hint: 'Example: squizzle console --port 4400',
    })
  }
  return port
}

/**
 * A target for one context's database: the built-in driver's URL (redacted) and its tenant
 * schema if any, else the driver plugin's name.
 */
function targetOf(name: string, ctx: CommandContext): ConsoleTarget {
  const url = ctx.databaseUrlOrNull()
  const location = url ? redactUrl(url) : `driver plugin ${ctx.settings.driver?.use ?? ''}`.trim()
  return { name, location: inSchema(location, ctx.tenantSchema()), connect: () => ctx.connectDatabase() }
}

/** Where a target is, with its tenant schema (a plain identifier: safe to show). */
function inSchema(location: string, schema: string | undefined): string {
  return schema === undefined ? location : `${location} (schema ${schema})`
}

/**
 * The console's targets: with a database given by flag or DATABASE_URL, that one; else
 * the top-level database and every environment of the config that has a database.
 */
async function consoleTargets(ctx: CommandContext): Promise<{ targets: ConsoleTarget[]; contexts: CommandContext[] }> {
  const env = ctx.flags.env ?? ctx.io.env['SQUIZZLE_ENV']
  if (ctx.flags.databaseUrl ?? ctx.io.env['DATABASE_URL'] ?? env) {
    return { targets: ctx.hasDatabase() ? [targetOf(env ?? 'default', ctx)] : [], contexts: [] }
  }
  const targets = ctx.hasDatabase() ? [targetOf('default', ctx)] : []
  const contexts: CommandContext[] = []
  for (const name of Object.keys(ctx.loaded.config.environments ?? {})) {
    const envCtx = await CommandContext.create(ctx.io, { ...ctx.flags, env: name }, { current: ctx.reporter })
    contexts.push(envCtx)
    // Each environment's database password is a secret of this run too: never on a page or the terminal.
    ctx.addSecrets(envCtx.secretValues())
    if (envCtx.hasDatabase()) targets.push(targetOf(name, envCtx))
  }
  targets.push(...(await fleetTargetsOf(ctx, new Set(targets.map((t) => t.name)))))
  return { targets, contexts }
}

/**
 * The targets of the config's fleet, when it has one: each database of the fleet, named
 * as in the fleet (a name an environment already uses is prefixed `fleet-`), connected with
 * the fleet's own driver factory. Their passwords are secrets of this run (loadFleet).
 */
async function fleetTargetsOf(ctx: CommandContext, taken: ReadonlySet<string>): Promise<ConsoleTarget[]> {
  if (!ctx.settings.fleet || ctx.settings.driver) return []
  const { targets } = await loadFleet(ctx)
  const connect = fleetDriverFactory(ctx)
  return targets.map((target) => ({
    name: taken.has(target.name) ? `fleet-${target.name}` : target.name,
    location: inSchema(target.url.startsWith('env:') ? target.url : redactUrl(target.url), target.schema),
    connect: () => connect(resolveConnection(target, ctx.io.env)),
  }))
}

/** Resolves when the process is asked to stop (Ctrl-C, a service manager's SIGTERM). */
const stopRequested = () =>
  new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(signal)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })

export const consoleCommand: Command = {
  name: 'console',
  summary: 'Serve the read-only web console: releases, targets, runs, drift and schemas',
  usage: 'squizzle console [--port 4400] [--host 127.0.0.1] [--token TOKEN]',
  details: [
    'Shows every stored version (signature verified against the trust policy, SBOM, provenance, schema diff),',
    'and each database of the config (the top level and every environment) with its versions, runs, lock and',
    'drift; every page has a JSON endpoint (/api). Read-only: it takes no lock and writes nothing.',
    '--port    the port (default 4400; 0 picks a free one)',
    '--host    where to listen (default 127.0.0.1); a non-loopback host needs --token',
    '--token   an access token every request must present (also SQUIZZLE_CONSOLE_TOKEN); open /?token=… once',
    'Needs the optional package @squizzle/console. Stops on Ctrl-C (SIGINT) or SIGTERM.',
  ],
  examples: [
    'squizzle console',
    'squizzle console --port 8080 --env production',
    'SQUIZZLE_CONSOLE_TOKEN=… squizzle console --host 0.0.0.0',
  ],
  options: { port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' } },
  async run(ctx, args) {
    versionArguments(args.positionals, 'console', { min: 0, max: 0 })
    const token = (args.values['token'] as string | undefined) ?? ctx.io.env['SQUIZZLE_CONSOLE_TOKEN']
    if (token) ctx.addSecret(token)
    const port = parsePort(args.values['port'] as string | undefined)
    const { createConsoleServer } = await loadConsole()
    const storage = await ctx.openStorage()
    const policy = await trustPolicyFor(ctx)
    const { targets, contexts } = await consoleTargets(ctx)
    const server = await createConsoleServer({
      storage,
      targets,
      ...(policy ? { policy } : {}),
      ...(token ? { token } : {}),
      host: (args.values['host'] as string | undefined) ?? '127.0.0.1',
      port,
      secrets: ctx.secretValues(),
      limits: ctx.settings.limits,
    })
    const r = ctx.reporter
    r.line(`Console at ${server.url}${token ? ' (open it once with ?token=…)' : ''}`)
    r.line(
      r.colors.dim(`  ${storage.name} · ${targets.length} target${targets.length === 1 ? '' : 's'} · Ctrl-C stops`),
    )
    r.json({ url: server.url, host: server.host, port: server.port, targets: targets.map((t) => t.name) })
    await stopRequested()
    await server.close()
    for (const opened of contexts) await opened.close()
    return exitCodes.ok
  },
}
