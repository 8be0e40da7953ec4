import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { patientTimeouts } from '../../vitest.shared.js'

// Tests run against core's source, so a core change is tested here without a build.
const coreSource = (path: string): string => fileURLToPath(new URL(`../core/src/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@squizzle\/core\/testing$/, replacement: coreSource('testing/index.ts') },
      { find: /^@squizzle\/core$/, replacement: coreSource('index.ts') },
    ],
  },
  test: {
    ...patientTimeouts,
  },
})
