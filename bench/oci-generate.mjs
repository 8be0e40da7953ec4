// Generates the OCI benchmark input: one migration of incompressible INSERTs, so
// the gzip-compressed bundle is about as large as asked.
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

/**
 * Writes about `bundleBytes / 0.76` bytes of SQL: base64 of random bytes compresses
 * to ~76% (6 bits of entropy per character), so the bundle lands near `bundleBytes`.
 */
export async function writeIncompressibleSql(file, bundleBytes) {
  const target = Math.ceil(bundleBytes / 0.76)
  const out = createWriteStream(file)
  out.write('CREATE TABLE bench_blob (id bigint PRIMARY KEY, payload text NOT NULL);\n')
  let written = 0
  for (let id = 1; written < target; id++) {
    const line = `INSERT INTO bench_blob VALUES (${id}, '${randomBytes(3072).toString('base64')}');\n`
    written += line.length
    if (!out.write(line)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}
