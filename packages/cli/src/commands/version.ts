import { versionReport, type PluginReport } from '../plugins/version-report.js'
import type { Reporter } from '../output/reporter.js'
import type { Command } from './command.js'

/**
 * `squizzle --version --verbose`: not a command of its own (plain `--version` prints the
 * version and loads nothing), but run like one, so `--config`, `--env` and `--json` apply.
 */
export const versionCommand: Command = {
  name: '--version',
  summary: 'Print the versions of the CLI, core and Node, and of every plugin the config loads',
  usage: 'squizzle --version --verbose [--config FILE] [--env NAME] [--json]',
  details: ['Each plugin is loaded and checked (API version, kind, options) but not created: nothing connects.'],
  examples: ['squizzle --version --verbose', 'squizzle --version --verbose --json | jq .plugins'],
  options: { version: { type: 'boolean', short: 'V' } },
  async run(ctx) {
    const report = await versionReport(ctx)
    const r = ctx.reporter
    r.line(`squizzle ${report.squizzle}`)
    r.line(`  @squizzle/cli   ${report.squizzle}`)
    r.line(`  @squizzle/core  ${report.core} (plugin API ${report.pluginApiVersion})`)
    r.line(`  node            ${report.node}`)
    r.line(`  config          ${report.config ?? '(none found)'}`)
    if (report.plugins.length === 0) r.line('Plugins: none (the config names none)')
    else r.line('Plugins:')
    for (const plugin of report.plugins) printPlugin(r, plugin)
    r.json({ ...report })
    return 0
  },
}

function printPlugin(r: Reporter, p: PluginReport): void {
  const schemes = p.schemes.length ? `, schemes ${p.schemes.map((s) => `${s}:`).join(' ')}` : ''
  r.line(
    `  ${p.role.padEnd(8)} ${p.name} ${p.version} ${r.colors.dim(`(${p.kind} plugin, API ${p.apiVersion}${schemes})`)}`,
  )
  r.line(`           from ${p.from}`)
  if (p.options !== null) r.line(`           options ${JSON.stringify(p.options)}`)
}
