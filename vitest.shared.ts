import { chmodSync, mkdirSync, statfsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * Tests run on source: workspace packages resolve to their src/ entry points,
 * so a change in core is seen by every package's tests without a rebuild.
 */
export const workspaceAliases = [
  { find: /^@squizzle\/core\/testing$/, replacement: at('./packages/core/src/testing/index.ts') },
  { find: /^@squizzle\/core\/oci$/, replacement: at('./packages/core/src/oci/index.ts') },
  { find: /^@squizzle\/core\/config$/, replacement: at('./packages/core/src/config/index.ts') },
  { find: /^@squizzle\/core$/, replacement: at('./packages/core/src/index.ts') },
  { find: /^@squizzle\/driver-postgres\/embedded$/, replacement: at('./packages/driver-postgres/src/embedded.ts') },
  { find: /^@squizzle\/driver-postgres$/, replacement: at('./packages/driver-postgres/src/index.ts') },
  // The driver cannot depend on testkit (testkit depends on it): its tests reach it by alias.
  { find: /^@squizzle\/testkit$/, replacement: at('./packages/testkit/src/index.ts') },
  { find: /^@squizzle\/storage-filesystem$/, replacement: at('./packages/storage-filesystem/src/index.ts') },
  { find: /^@squizzle\/security\/testing$/, replacement: at('./packages/security/src/testing/index.ts') },
  { find: /^@squizzle\/security$/, replacement: at('./packages/security/src/index.ts') },
  { find: /^@squizzle\/storage-oci\/registry-url$/, replacement: at('./packages/storage-oci/src/registry-url.ts') },
  { find: /^@squizzle\/storage-oci$/, replacement: at('./packages/storage-oci/src/index.ts') },
  { find: /^@squizzle\/console$/, replacement: at('./apps/console/src/index.ts') },
]

/** The globalSetup that starts one real PostgreSQL server per test run. */
export const postgresGlobalSetup = at('./packages/testkit/src/global-setup.ts')

/**
 * Timeouts for every package's tests. Generous on purpose: tests wait on real servers
 * (PostgreSQL, the registry, child processes) on a machine that may be loaded (two cores
 * shared by a team), and a test must fail on a wrong result, never on a slow machine.
 */
export const patientTimeouts = { testTimeout: 120_000, hookTimeout: 120_000 } as const

/**
 * Test files write many small, fsynced files (layouts, projects, installs); on a tmpfs an
 * fsync costs a tenth of a disk's. So the test run's temporary folder is /dev/shm when it
 * has room for the largest fixtures (container defaults of 64 MB do not), else the usual one.
 * Set here, in the process that loads the config, so global setup and every worker inherit it;
 * an explicit SQUIZZLE_TEST_TMPDIR wins.
 */
function chooseTestTmpdir(): void {
  const chosen = process.env['SQUIZZLE_TEST_TMPDIR'] ?? roomyTmpfs()
  if (!chosen) return
  mkdirSync(chosen, { recursive: true })
  // Sticky and open to all, like /tmp: the embedded server runs as user postgres.
  if (!process.env['SQUIZZLE_TEST_TMPDIR']) chmodSync(chosen, 0o1777)
  process.env['TMPDIR'] = chosen
}

function roomyTmpfs(): string | undefined {
  try {
    const { bavail, bsize } = statfsSync('/dev/shm')
    return bavail * bsize >= 4 * 1024 ** 3 ? '/dev/shm/squizzle-tests' : undefined
  } catch {
    return undefined
  }
}

chooseTestTmpdir()
