import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runProgram } from './cli.js'

/** The monorepo root; the install test's project lives outside it. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))

/** What the install needs: the CLI's packages as published, and this plugin. */
export const packedDirs = [
  'packages/core',
  'packages/driver-postgres',
  'packages/storage-filesystem',
  'packages/storage-oci',
  'packages/security',
  'packages/cli',
  'examples/storage-pgtable',
].map((dir) => join(repoRoot, dir))

/**
 * The environment of a user's shell for plain npm: the `npm_*` / `pnpm_*` variables a parent
 * `pnpm run` sets are dropped, except those that say how to reach a registry.
 *
 * @example
 * ```ts
 * await runProgram('npm', ['install'], { cwd, env: plainNpmEnv() })
 * ```
 */
export function plainNpmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|cache|userconfig|proxy|https_proxy|noproxy|strict_ssl|cafile)$/i
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm|pnpm)_/i.test(key) && !keep.test(key)) continue
    env[key] = value
  }
  return { ...env, ...extra }
}

/**
 * `pnpm pack`s a built package into `destination` (pnpm writes `workspace:^` as the version
 * range npm will see); returns the tarball's path.
 *
 * @example
 * ```ts
 * const tarball = await pack(join(repoRoot, 'packages/core'), '/tmp/packs')
 * ```
 */
export async function pack(dir: string, destination: string): Promise<string> {
  if (
    !(await access(join(dir, 'dist/index.js')).then(
      () => true,
      () => false,
    ))
  ) {
    throw new Error(`${dir} is not built (no dist/index.js): run \`npx -y pnpm@10 build\` first`)
  }
  // The pnpm running this test (`pnpm test` sets npm_execpath), else pnpm from npx's cache.
  const execPath = process.env['npm_execpath']
  const [file, pnpmArgs] =
    execPath && /pnpm/.test(execPath) ? [process.execPath, [execPath]] : ['npx', ['--prefer-offline', '-y', 'pnpm@10']]
  const args = [...pnpmArgs, 'pack', '--pack-destination', destination]
  const r = await runProgram(file, args, { cwd: dir, env: process.env, timeoutMs: 300_000 })
  if (r.code !== 0) throw new Error(`pnpm pack in ${dir} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  const tarball = r.stdout.trim().split('\n').at(-1)?.trim() ?? ''
  await access(tarball)
  return tarball
}
