import { defineConfig } from 'vitest/config'
import { patientTimeouts, workspaceAliases } from '../../vitest.shared.js'

// Tests run against the workspace sources (core, storage-filesystem, testkit), so a change there is tested without a
// build.
export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    ...patientTimeouts,
  },
})
