import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from 'vitest'
import { readThroughCache } from '@squizzle/core'
import { describeContentTarget, describeStorage } from '@squizzle/core/testing'
import { OciLayoutTarget } from '@squizzle/storage-filesystem'
import type { RegistryAuthMode } from '@squizzle/testkit'
import { corruptBlob, sharedRegistry, skipRegistry, storageIn } from './registry-fixture.js'

// The core conformance suites against the real distribution registry, in each of its auth setups.
const modes: RegistryAuthMode[] = ['open', 'basic', 'token']

describe.skipIf(skipRegistry)('storage-oci on docker-registry', () => {
  for (const mode of modes) {
    describeStorage(`createOciStorage (distribution registry, ${mode} auth)`, async () => {
      const registry = await sharedRegistry(mode)
      return { storage: storageIn(registry), corrupt: (digest) => corruptBlob(registry, digest) }
    })
  }

  describeContentTarget('OciRegistryTarget (distribution registry, token auth)', async () => {
    return { target: storageIn(await sharedRegistry('token')).target }
  })

  // What commands read through when a local layout exists: tags from the registry, content from the layout.
  describeContentTarget('readThroughCache (registry, with an OCI layout as cache)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'squizzle-cache-'))
    const remote = storageIn(await sharedRegistry('open')).target
    const target = readThroughCache(remote, new OciLayoutTarget(join(dir, 'layout')))
    return { target, cleanup: () => rm(dir, { recursive: true, force: true }) }
  })
})
