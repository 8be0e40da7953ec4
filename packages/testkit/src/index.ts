import './provided-context.js'
export { startTestPostgres, createTestDatabase, query } from './test-postgres.js'
export { startSystemPostgres } from './system-postgres.js'
