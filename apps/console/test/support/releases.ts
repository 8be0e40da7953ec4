import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildVersion, bundleFiles, type ArtifactPolicy, type ArtifactStorage } from '@squizzle/core'
import { openScratchDatabase } from '@squizzle/driver-postgres'
import { buildEnvironment, cyclonedxSbom, decryptSigningKey, generateSigningKey, KeySigner } from '@squizzle/security'
import { sbomAttachment, SignaturePolicy, signVersion } from '@squizzle/security'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'

/** One version to build: its new SQL files by bundle path, notes and author. */
export interface VersionSpec {
  version: string
  files: Record<string, string>
  notes?: string
  author?: string
  /** False: built and stored, never signed. */
  signed?: boolean
}

export interface ReleaseFixture {
  dir: string
  storage: ArtifactStorage
  /** Trusts the fixture's release key. */
  policy: ArtifactPolicy
  keyId: string
  sign(version: string): Promise<void>
  dispose(): Promise<void>
}

const passphrase = 'console fixture passphrase'
/** What a GitHub Actions build would record as provenance. */
export const ciEnv = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_SHA: '3f2a9c1d0b8e7f6a5c4d3e2f1a0b9c8d7e6f5a4b',
  GITHUB_REF: 'refs/tags/v1',
  GITHUB_WORKFLOW_REF: 'acme/shop/.github/workflows/release.yml@refs/tags/v1',
}

/**
 * An OCI layout with real versions built by core's `buildVersion` (with schema snapshots
 * replayed on the test server), each signed by a fresh key with SLSA provenance and an SBOM.
 *
 * @example
 * ```ts
 * const fx = await releaseFixture(serverUrl, [{ version: '1.0.0', files: { 'migrations/001.sql': '…' } }])
 * ```
 */
export async function releaseFixture(serverUrl: string, versions: readonly VersionSpec[]): Promise<ReleaseFixture> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'squizzle-console-')))
  const storage = createFilesystemStorage(join(dir, 'artifacts'))
  const key = generateSigningKey(passphrase)
  const signer = new KeySigner(decryptSigningKey(key.privateKeyPem, passphrase))
  const policy = new SignaturePolicy({ signatures: 'optional', publicKeys: { [key.keyId]: key.publicKeyPem } })
  const sign = async (version: string) => {
    const pulled = await storage.pull(version)
    const files = []
    for await (const file of bundleFiles(pulled.open(), pulled.manifest, { keepContent: true })) files.push(file)
    await storage.attach!(
      pulled.ref,
      sbomAttachment(cyclonedxSbom({ ref: pulled.ref, manifest: pulled.manifest, files, name: 'shop' })),
    )
    await storage.attach!(pulled.ref, await signVersion(signer, pulled.ref, pulled.manifest, buildEnvironment(ciEnv)))
  }
  for (const spec of versions) {
    await addVersion(dir, storage, serverUrl, spec)
    if (spec.signed !== false) await sign(spec.version)
  }
  return { dir, storage, policy, keyId: key.keyId, sign, dispose: () => rm(dir, { recursive: true, force: true }) }
}

/** Writes a version's files into the fixture's project folders and builds it. */
export async function addVersion(
  dir: string,
  storage: ArtifactStorage,
  serverUrl: string,
  spec: VersionSpec,
): Promise<void> {
  for (const [path, sql] of Object.entries(spec.files)) {
    await mkdir(join(dir, 'db', path, '..'), { recursive: true })
    await writeFile(join(dir, 'db', path), sql)
  }
  await buildVersion({
    version: spec.version,
    storage,
    toolVersion: '0.1.0',
    ledger: join(dir, 'db/squizzle.sum'),
    folders: { migrations: join(dir, 'db/migrations'), rollback: join(dir, 'db/rollback') },
    rollbackRequired: false,
    ...(spec.notes ? { notes: spec.notes } : {}),
    ...(spec.author ? { author: spec.author } : {}),
    snapshot: { scratch: () => openScratchDatabase({ devUrl: serverUrl }) },
  })
}
