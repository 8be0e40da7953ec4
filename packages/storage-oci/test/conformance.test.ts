import { describe } from 'vitest'
import { describeStorage } from '@squizzle/core/testing'
import type { RegistryAuthMode } from '@squizzle/testkit'
import { corruptBlob, sharedRegistry, skipRegistry, storageIn } from './registry-fixture.js'

// The core conformance suite against the real distribution registry, in each of its auth setups.
const modes: RegistryAuthMode[] = ['open', 'basic', 'token']

describe.skipIf(skipRegistry)('storage-oci on docker-registry', () => {
  for (const mode of modes) {
    describeStorage(`createOciStorage (distribution registry, ${mode} auth)`, async () => {
      const registry = await sharedRegistry(mode)
      return { storage: storageIn(registry), corrupt: (digest) => corruptBlob(registry, digest) }
    })
  }
})
