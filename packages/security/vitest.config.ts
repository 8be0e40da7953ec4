import { defineConfig } from 'vitest/config'
import { patientTimeouts, workspaceAliases } from '../../vitest.shared.js'

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    ...patientTimeouts,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/index.ts', 'src/testing/**'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 95 },
    },
  },
})
