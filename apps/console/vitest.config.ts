import { defineConfig } from 'vitest/config'
import { patientTimeouts, postgresGlobalSetup, workspaceAliases } from '../../vitest.shared.js'

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    globalSetup: [postgresGlobalSetup],
    ...patientTimeouts,
    // The browser test and the endpoint tests each start servers; one file at a time on a shared machine.
    fileParallelism: false,
  },
})
