// The plain postgres.js floor: reads SQL files and runs them, in order, in one
// transaction, each as one simple-protocol query. What a minimal migration
// runner in Node costs, with nothing verified or recorded.
import { readFileSync } from 'node:fs'
import postgres from 'postgres'

const [url, ...files] = process.argv.slice(2)
const sql = postgres(url, { max: 1, onnotice: () => {} })
await sql.begin(async (tx) => {
  for (const file of files) await tx.unsafe(readFileSync(file, 'utf8')).simple()
})
await sql.end()
