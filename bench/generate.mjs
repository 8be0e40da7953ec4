// Generates the benchmark inputs as SQL files on disk.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { once } from 'node:events'

/** (a) `count` small migration files: a table, an index and 10 rows each. */
export function writeSmallFiles(dir, count = 500) {
  mkdirSync(dir, { recursive: true })
  const files = []
  for (let i = 1; i <= count; i++) {
    const rows = Array.from(
      { length: 10 },
      (_, r) => `INSERT INTO item_${i} (id, name, qty) VALUES (${r + 1}, 'item ${i}/${r + 1}', ${(i * 7 + r) % 100});`,
    )
    const sql = [
      `CREATE TABLE item_${i} (id integer PRIMARY KEY, name text NOT NULL, qty integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
      `CREATE INDEX item_${i}_qty_idx ON item_${i} (qty);`,
      ...rows,
      '',
    ].join('\n')
    const file = join(dir, `${String(i).padStart(4, '0')}_item_${i}.sql`)
    writeFileSync(file, sql)
    files.push(file)
  }
  return files
}

/** (b) one seed file of about `bytes` bytes: multi-row INSERTs into one table. */
export async function writeBigSeed(file, bytes = 50 * 1024 * 1024) {
  const out = createWriteStream(file)
  let written = 0
  let id = 0
  while (written < bytes) {
    const values = []
    for (let r = 0; r < 100; r++) {
      id++
      values.push(
        `(${id}, 'customer-${id}@example.com', 'Customer number ${id} with a reasonably long display name', ${id % 1000}, '2024-01-01T00:00:00Z')`,
      )
    }
    const line = `INSERT INTO seed_customers (id, email, full_name, tier, joined_at) VALUES\n${values.join(',\n')};\n`
    written += Buffer.byteLength(line)
    if (!out.write(line)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  return { file, rows: id, bytes: written }
}

export const seedTable =
  'CREATE TABLE seed_customers (id bigint PRIMARY KEY, email text NOT NULL, full_name text NOT NULL, tier integer NOT NULL, joined_at timestamptz NOT NULL);\n'
