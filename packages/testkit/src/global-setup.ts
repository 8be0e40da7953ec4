import type { TestProject } from 'vitest/node'
import './provided-context.js'
import { startTestPostgres } from './test-postgres.js'

/**
 * vitest globalSetup: one PostgreSQL server per test run, its URL provided to
 * tests as `inject('postgresUrl')`; every test file creates its own databases.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestPostgres()
  process.stderr.write(`[testkit] ${server.label} on port ${server.port}\n`)
  project.provide('postgresUrl', server.url)
  return () => server.stop()
}
