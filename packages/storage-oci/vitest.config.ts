import { defineConfig } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.js'

// Tests run against the workspace sources (core, storage-filesystem, testkit), so a change there is tested without a build.
export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
