import { defineConfig } from 'vitest/config'
import { postgresGlobalSetup, workspaceAliases } from '../../vitest.shared.js'

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    globalSetup: [postgresGlobalSetup],
    // Packing six packages and an npm install from the registry take minutes on a busy machine.
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
})
