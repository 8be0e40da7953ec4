import { SquizzleError, type PulledArtifact } from '@squizzle/core'
import { mediaTypes } from '@squizzle/core/oci'
import type { CommandContext } from '../context.js'
import { oneVersion } from '../args.js'
import type { Command } from './command.js'

export const sbomCommand: Command = {
  name: 'sbom',
  summary: 'Print the CycloneDX 1.6 SBOM of a stored version (the attached one, else generated)',
  usage: 'squizzle sbom <version>',
  details: [
    'Prints the SBOM attached at build/sign time; when there is none, generates it from the verified',
    'bundle and the project lockfile (pnpm-lock.yaml or package-lock.json, found upward) without attaching it.',
    'The SBOM is the output, with or without --json.',
  ],
  examples: ['squizzle sbom 1.2.0 > squizzle-1.2.0.cdx.json', 'squizzle sbom 1.2.0 | jq ".components[].name"'],
  options: {},
  async run(ctx, args) {
    const version = oneVersion(args.positionals, 'sbom')
    const storage = await ctx.openStorage()
    const pulled = await storage.pull(version)
    const attached = storage.attachments
      ? (await storage.attachments(pulled.ref)).find((a) => a.artifactType === mediaTypes.cyclonedx)
      : undefined
    const json = attached ? Buffer.from(attached.data).toString('utf8') : await generated(ctx, pulled)
    if (!attached)
      ctx.reporter.warn(`no SBOM is attached to ${version}; generated one from the bundle and the current lockfile`)
    ctx.reporter.result(json.trimEnd())
    if (ctx.flags.json) ctx.reporter.json(parseSbom(json, version))
    return 0
  },
}

/** An SBOM generated now from the verified bundle and the project's lockfile. */
async function generated(ctx: CommandContext, pulled: PulledArtifact): Promise<string> {
  // Loaded here, not at start-up: CycloneDX is one of the CLI's heaviest dependencies.
  const { versionSbom } = await import('@squizzle/security')
  return versionSbom(pulled, { projectDir: ctx.root, limits: ctx.settings.limits })
}

/** The attached SBOM as JSON for --json; an attachment that is not a JSON object is refused, never passed on. */
function parseSbom(text: string, version: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    value = undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SquizzleError('MANIFEST_INVALID', `the SBOM attached to ${version} is not a JSON object`, {
      hint: 'Re-attach a valid CycloneDX SBOM (squizzle sign attaches a fresh one), or delete the broken attachment.',
    })
  }
  return value as Record<string, unknown>
}
