import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { SquizzleError } from '@squizzle/core'
import { findPackageDir } from '../package-dir.js'

/**
 * The `squawk-cli` entry script: the project's own install first (its
 * node_modules), else the one installed next to the CLI.
 *
 * @example
 * ```ts
 * const script = await findSquawk('/srv/app') // '/srv/app/node_modules/squawk-cli/js/bin/squawk'
 * ```
 */
export async function findSquawk(projectRoot: string): Promise<string> {
  let dir = await findPackageDir(projectRoot, 'squawk-cli')
  if (dir === null) {
    try {
      dir = dirname(createRequire(import.meta.url).resolve('squawk-cli/package.json'))
    } catch {
      throw new SquizzleError('LINT_UNAVAILABLE', 'build --lint needs squawk, and squawk-cli is not installed', {
        hint:
          'Install it in your project: npm install --save-dev squawk-cli (it ships the squawk binary for your ' +
          'platform).',
      })
    }
  }
  return join(dir, 'js', 'bin', 'squawk')
}
