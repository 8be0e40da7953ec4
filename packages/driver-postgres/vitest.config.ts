import { defineConfig } from 'vitest/config'
import { patientTimeouts, postgresGlobalSetup, workspaceAliases } from '../../vitest.shared.js'

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    globalSetup: [postgresGlobalSetup],
    ...patientTimeouts,
  },
})
