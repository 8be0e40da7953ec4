// The start-up floor of a Node database tool: load postgres.js, connect, `select 1`, exit.
import postgres from 'postgres'

const sql = postgres(process.argv[2], { max: 1 })
await sql`select 1`
await sql.end()
