import { defineConfig } from 'vitest/config'
import { patientTimeouts, postgresGlobalSetup, workspaceAliases } from '../../vitest.shared.js'

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    globalSetup: [postgresGlobalSetup],
    ...patientTimeouts,
    // CLI runs are in-process (test/support/cli-process.ts) and spend much of their time
    // waiting on PostgreSQL: two files at a time keep both cores busy. Each file has its
    // own worker process, so process-wide state never crosses files.
    pool: 'forks',
    maxWorkers: '100%',
  },
})
