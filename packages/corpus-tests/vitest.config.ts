import { defineConfig } from 'vitest/config'
import { postgresGlobalSetup, workspaceAliases } from '../../vitest.shared.js'

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    globalSetup: [postgresGlobalSetup],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
})
