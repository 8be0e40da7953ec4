import { defineConfig } from 'vitest/config'
import { patientTimeouts } from '../../vitest.shared.js'

// Core's tests are unit tests on its own source; they only need timeouts that a loaded machine
// cannot run out (vitest's default of 5 s is one slow second of work on a busy 2-core machine).
export default defineConfig({
  test: {
    ...patientTimeouts,
  },
})
