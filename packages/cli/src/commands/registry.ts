import { applyCommand } from './apply.js'
import { baselineCommand } from './baseline.js'
import { buildCommand } from './build.js'
import type { Command } from './command.js'
import { diffCommand } from './diff.js'
import { driftCommand } from './drift.js'
import { initCommand } from './init.js'
import { keygenCommand } from './keygen.js'
import { listCommand } from './list.js'
import { repairCommand } from './repair.js'
import { rollbackCommand } from './rollback.js'
import { sbomCommand } from './sbom.js'
import { signCommand } from './sign.js'
import { pullCommand } from './pull.js'
import { pushCommand } from './push.js'
import { statusCommand } from './status.js'
import { verifyCommand } from './verify.js'

/** Every command, in the order `--help` lists them. */
export const commands: readonly Command[] = [initCommand, buildCommand, pushCommand, pullCommand, applyCommand, rollbackCommand, statusCommand, driftCommand, diffCommand, listCommand, verifyCommand, baselineCommand, repairCommand, keygenCommand, signCommand, sbomCommand]

/**
 * The command called `name`, if any.
 *
 * @example
 * ```ts
 * findCommand('apply')?.usage // 'squizzle apply [version] [--dry-run] [--allow-out-of-order]'
 * ```
 */
export function findCommand(name: string | undefined): Command | undefined {
  return commands.find((c) => c.name === name)
}
