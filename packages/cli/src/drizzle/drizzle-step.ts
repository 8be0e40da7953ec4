import { resolve } from 'node:path'
import type { CommandContext } from '../context.js'
import { checkDrizzleJournal } from './drizzle-journal.js'
import { drizzleKitGenerate, findDrizzleKit } from './drizzle-kit.js'
import { findDrizzleConfig } from './find-drizzle-config.js'

/**
 * When the project has a drizzle config, runs its drizzle-kit `generate` and
 * checks the output's journal; returns the drizzle-kit version (recorded in the
 * manifest) and the folder whose new files the build bundles under `drizzle/`.
 * Null when the project does not use drizzle.
 *
 * @example
 * ```ts
 * const drizzle = await drizzleStep(ctx) // { version: '0.31.4', folder: '/srv/app/drizzle' }
 * ```
 */
export async function drizzleStep(ctx: CommandContext): Promise<{ version: string; folder: string } | null> {
  const config = await findDrizzleConfig(ctx.root)
  if (config === null) return null
  const kit = await findDrizzleKit(ctx.root)
  await drizzleKitGenerate(kit, ctx.root, config, ctx.io.env)
  const folder = resolve(ctx.root, ctx.settings.paths?.drizzle ?? 'drizzle')
  await checkDrizzleJournal(folder)
  return { version: kit.version, folder }
}
