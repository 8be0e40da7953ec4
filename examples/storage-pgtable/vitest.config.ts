import { defineConfig } from 'vitest/config'
import { postgresGlobalSetup, workspaceAliases } from '../../vitest.shared.js'

// The plugin's own tests run on core's source; the CLI tests run the built CLI, which loads the built plugin.
export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    globalSetup: [postgresGlobalSetup],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
