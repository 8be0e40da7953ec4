import { access, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pnpmCommand, runCommand } from './commands.js'

/** The monorepo root (tests must install outside it). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))

/** A package the repository publishes. */
export interface PublishedPackage {
  name: string
  version: string
  dir: string
}

/**
 * Every non-private package under packages/: what `npm i @squizzle/…` users get.
 *
 * @example
 * ```ts
 * (await publishedPackages()).map((p) => p.name) // ['@squizzle/cli', '@squizzle/core', …]
 * ```
 */
export async function publishedPackages(): Promise<PublishedPackage[]> {
  const root = join(repoRoot, 'packages')
  const found: PublishedPackage[] = []
  for (const entry of (await readdir(root)).sort()) {
    const manifest = await readFile(join(root, entry, 'package.json'), 'utf8').then(
      (t) => JSON.parse(t) as { name: string; version: string; private?: boolean },
      () => null,
    )
    if (manifest && manifest.private !== true)
      found.push({ name: manifest.name, version: manifest.version, dir: join(root, entry) })
  }
  return found
}

/**
 * `pnpm pack`s a built package into `destination` (pnpm rewrites `workspace:^` to versions); returns the tarball.
 *
 * @example
 * ```ts
 * const tarball = await packPackage(pkg, '/tmp/packs')
 * ```
 */
export async function packPackage(pkg: PublishedPackage, destination: string): Promise<string> {
  const built = await access(join(pkg.dir, 'dist', 'index.js')).then(
    () => true,
    () => false,
  )
  if (!built) throw new Error(`${pkg.name} is not built (no dist/index.js): run \`npx -y pnpm@10 build\` first`)
  const [cmd, ...args] = pnpmCommand('pack', '--pack-destination', destination)
  const r = await runCommand(cmd, args, { cwd: pkg.dir })
  if (r.code !== 0) throw new Error(`pnpm pack of ${pkg.name} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  const tarball = r.stdout.trim().split('\n').at(-1)!.trim()
  await access(tarball)
  return tarball
}

/**
 * The paths inside a package tarball (`package/…`), read with the system's tar.
 *
 * @example
 * ```ts
 * const entries = await tarballEntries('/tmp/packs/squizzle-core-0.1.0.tgz')
 * ```
 */
export async function tarballEntries(tarball: string): Promise<string[]> {
  const r = await runCommand('tar', ['-tzf', tarball], { cwd: repoRoot })
  if (r.code !== 0) throw new Error(`tar -tzf ${tarball} failed: ${r.stderr}`)
  return r.stdout.split('\n').filter(Boolean)
}

/**
 * The package.json inside a tarball, as npm will read it.
 *
 * @example
 * ```ts
 * const manifest = await tarballManifest(tarball)
 * ```
 */
export async function tarballManifest(
  tarball: string,
): Promise<{ name: string; version: string; dependencies?: Record<string, string> }> {
  const r = await runCommand('tar', ['-xzOf', tarball, 'package/package.json'], { cwd: repoRoot })
  if (r.code !== 0) throw new Error(`cannot read package.json from ${tarball}: ${r.stderr}`)
  return JSON.parse(r.stdout) as { name: string; version: string; dependencies?: Record<string, string> }
}
