import { createHash } from 'node:crypto'
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library'
import type { ArtifactRef, BundleFile, Manifest, ManifestFile } from '@squizzle/core'
import { PackageURL } from 'packageurl-js'
import type { LockfilePackage } from './lockfile-packages.js'

export interface SbomInput {
  ref: ArtifactRef
  manifest: Manifest
  /**
   * The bundle's verified files: with their bytes, or with their SHA-512 (hex) computed as
   * they streamed by, so a seed of any size need not be held in memory.
   */
  files: ReadonlyArray<BundleFile | FileSha512>
  /** The build's npm dependencies, from its lockfile. */
  packages?: LockfilePackage[]
  /** Names the version's component, e.g. the project or repository. Default `squizzle-bundle`. */
  name?: string
}

/** A verified file of a bundle and the SHA-512 (hex) of its bytes. */
export interface FileSha512 {
  file: ManifestFile
  sha512: string
}

const sriAlgorithms: Record<string, Enums.HashAlgorithm> = {
  sha1: Enums.HashAlgorithm['SHA-1'],
  sha256: Enums.HashAlgorithm['SHA-256'],
  sha384: Enums.HashAlgorithm['SHA-384'],
  sha512: Enums.HashAlgorithm['SHA-512'],
}

/**
 * A CycloneDX 1.6 JSON SBOM of a version: its SQL files (SHA-256 and SHA-512),
 * the tools that built it, and the npm packages of the build with purls and
 * lockfile integrity hashes. Same inputs, same bytes: the serial number and
 * timestamp come from the version, not from the clock.
 *
 * @example
 * ```ts
 * const json = cyclonedxSbom({ ref, manifest, files, packages: await readLockfilePackages('pnpm-lock.yaml') })
 * ```
 */
export function cyclonedxSbom(input: SbomInput): string {
  const { ref, manifest } = input
  const bom = new Models.Bom({ serialNumber: serialNumberOf(ref.digest) })
  bom.metadata.timestamp = new Date(manifest.created)
  addTools(bom, manifest.tools)
  const root = new Models.Component(Enums.ComponentType.Data, input.name ?? 'squizzle-bundle', {
    version: manifest.version,
    bomRef: 'bundle',
  })
  root.hashes.set(Enums.HashAlgorithm['SHA-256'], ref.bundleDigest.replace(/^sha256:/, ''))
  bom.metadata.component = root
  addFiles(bom, root, input.files)
  addPackages(bom, input.packages ?? [])
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6))
  return serializer.serialize(bom, { sortLists: true, space: 2 })
}

/** Squizzle, and drizzle-kit when it generated the SQL, as the tools that built the version. */
function addTools(bom: Models.Bom, tools: Manifest['tools']): void {
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, 'squizzle', {
      version: tools.squizzle,
      purl: npmPurl('@squizzle/cli', tools.squizzle),
    }),
  )
  const drizzleKit = tools['drizzle-kit']
  if (drizzleKit)
    bom.metadata.tools.components.add(
      new Models.Component(Enums.ComponentType.Application, 'drizzle-kit', {
        version: drizzleKit,
        purl: npmPurl('drizzle-kit', drizzleKit),
      }),
    )
}

/** Each SQL file with its SHA-256 and SHA-512, as a dependency of the bundle. */
function addFiles(bom: Models.Bom, root: Models.Component, files: SbomInput['files']): void {
  for (const entry of files) {
    const { file } = entry
    const sha512 = 'sha512' in entry ? entry.sha512 : createHash('sha512').update(entry.content).digest('hex')
    const c = new Models.Component(Enums.ComponentType.File, file.path, { bomRef: `file:${file.path}` })
    c.hashes.set(Enums.HashAlgorithm['SHA-256'], file.sha256)
    c.hashes.set(Enums.HashAlgorithm['SHA-512'], sha512)
    bom.components.add(c)
    root.dependencies.add(c.bomRef)
  }
}

/** Each npm package once (by purl), dev dependencies marked excluded, with its lockfile integrity hashes. */
function addPackages(bom: Models.Bom, packages: readonly LockfilePackage[]): void {
  const seen = new Set<string>()
  for (const pkg of packages) {
    const purl = npmPurl(pkg.name, pkg.version)
    if (seen.has(purl)) continue
    seen.add(purl)
    const c = new Models.Component(Enums.ComponentType.Library, pkg.name, {
      version: pkg.version,
      purl,
      bomRef: purl,
      ...(pkg.dev ? { scope: Enums.ComponentScope.Excluded } : {}),
    })
    for (const sri of pkg.integrity) addIntegrity(c, sri)
    bom.components.add(c)
  }
}

/** `sha512-<base64>` → the SHA-512 hash in hex; unknown algorithms are skipped, not guessed. */
function addIntegrity(component: Models.Component, sri: string): void {
  const dash = sri.indexOf('-')
  const alg = sriAlgorithms[sri.slice(0, dash)]
  if (dash < 0 || !alg) return
  component.hashes.set(alg, Buffer.from(sri.slice(dash + 1), 'base64').toString('hex'))
}

function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1
  return slash > 0
    ? new PackageURL('npm', name.slice(0, slash), name.slice(slash + 1), version, undefined, undefined).toString()
    : new PackageURL('npm', undefined, name, version, undefined, undefined).toString()
}

/** A UUID-shaped serial derived from the version's digest: the same version always has the same serial. */
function serialNumberOf(digest: string): string {
  const h = createHash('sha256').update(`squizzle-sbom:${digest}`).digest('hex')
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)
  const groups = [h.slice(0, 8), h.slice(8, 12), `5${h.slice(13, 16)}`, `${variant}${h.slice(17, 20)}`, h.slice(20, 32)]
  return `urn:uuid:${groups.join('-')}`
}
