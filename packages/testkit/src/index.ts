import './provided-context.js'
export { startTestPostgres, createTestDatabase, query } from './test-postgres.js'
export { startSystemPostgres } from './system-postgres.js'
export { startPgBouncer, findPgBouncer, type PgBouncer } from './pgbouncer.js'
