import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { SquizzleError } from '@squizzle/core'
import semver from 'semver'
import { findPackageDir } from '../package-dir.js'

const run = promisify(execFile)

/** The oldest drizzle-kit whose `generate` output Squizzle is tested with. */
export const minimumDrizzleKit = '0.31.0'

/** The project's installed drizzle-kit. */
export interface InstalledDrizzleKit {
  version: string
  /** The package's `bin` script, run with this Node. */
  bin: string
}

/**
 * Finds the drizzle-kit installed in the project (its node_modules, never a
 * global or bundled copy) and checks it against {@link minimumDrizzleKit}.
 *
 * @example
 * ```ts
 * const kit = await findDrizzleKit('/srv/app') // { version: '0.31.4', bin: '/srv/app/node_modules/drizzle-kit/bin.cjs' }
 * ```
 */
export async function findDrizzleKit(root: string): Promise<InstalledDrizzleKit> {
  const dir = await findPackageDir(root, 'drizzle-kit')
  if (dir === null) {
    throw new SquizzleError(
      'DRIZZLE_KIT_MISSING',
      `the project has a drizzle config, but drizzle-kit is not installed in ${root}`,
      {
        hint: `Install it: npm install --save-dev drizzle-kit@^${minimumDrizzleKit} (Squizzle runs the project's own drizzle-kit).`,
      },
    )
  }
  const manifestPath = join(dir, 'package.json')
  const pkg = JSON.parse(await readFile(manifestPath, 'utf8')) as {
    version?: string
    bin?: string | Record<string, string>
  }
  const version = semver.valid(pkg.version ?? '')
  if (!version || semver.lt(version, minimumDrizzleKit)) {
    throw new SquizzleError(
      'DRIZZLE_KIT_UNSUPPORTED',
      `drizzle-kit ${pkg.version ?? '(unknown version)'} is older than ${minimumDrizzleKit}, the oldest Squizzle supports`,
      {
        hint: `Upgrade it: npm install --save-dev drizzle-kit@^${minimumDrizzleKit}`,
        details: { installed: pkg.version ?? null, minimum: minimumDrizzleKit },
      },
    )
  }
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['drizzle-kit']
  if (!bin)
    throw new SquizzleError('DRIZZLE_KIT_MISSING', `drizzle-kit ${version} declares no drizzle-kit binary`, {
      hint: 'Reinstall drizzle-kit.',
    })
  return { version, bin: join(dir, bin) }
}

/**
 * Runs the project's `drizzle-kit generate --config <file>` as a child process
 * (an argument array, no shell), in the project root, with `env` (the CLI's environment).
 *
 * @example
 * ```ts
 * await drizzleKitGenerate(kit, '/srv/app', '/srv/app/drizzle.config.ts')
 * ```
 */
export async function drizzleKitGenerate(
  kit: InstalledDrizzleKit,
  root: string,
  configFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  let stdout: string
  let stderr: string
  try {
    const options = { cwd: root, maxBuffer: 16 * 1024 * 1024, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' } }
    const running = run(process.execPath, [kit.bin, 'generate', '--config', configFile], options)
    // No terminal and no input: a question drizzle-kit would ask must fail, never wait forever.
    running.child.stdin?.end()
    ;({ stdout, stderr } = await running)
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string }
    throw generateFailed(`${e.stderr ?? ''}\n${e.stdout ?? ''}`, err)
  }
  // drizzle-kit 0.31 exits 0 after some errors (e.g. when it needs to ask whether a column was renamed).
  if (/^\s*Error\b/m.test(stderr)) throw generateFailed(stderr, undefined)
  return stdout
}

function generateFailed(output: string, cause: unknown): SquizzleError {
  const text = output
    .trim()
    .split('\n')
    .filter((l) => !/^\s+at /.test(l))
    .slice(-6)
    .join('\n')
  const interactive = /TTY|prompt/i.test(text)
  return new SquizzleError('DRIZZLE_KIT_FAILED', `drizzle-kit generate failed: ${text || String(cause)}`, {
    hint: interactive
      ? 'drizzle-kit needs an answer (e.g. whether a column was renamed). Run `npx drizzle-kit generate` in a terminal, answer it, then build again: the files it wrote are bundled.'
      : 'Fix the schema or drizzle config (run `npx drizzle-kit generate` to see the full output), then build again.',
    cause,
  })
}
