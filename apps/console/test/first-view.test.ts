import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeTestVersion } from '@squizzle/core/testing'
import {
  buildEnvironment,
  decryptSigningKey,
  generateSigningKey,
  KeySigner,
  SignaturePolicy,
  signVersion,
} from '@squizzle/security'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createConsoleServer, type ConsoleServer } from '../src/index.js'

// The release list's first view over 1,000 signed versions: one page is read and its
// signatures verified, never the whole storage. The bound is generous (a shared, loaded
// machine must not fail it); the time measured is printed for the record.

const count = 1000
let dir: string
let server: ConsoleServer

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squizzle-console-1000-'))
  const storage = createFilesystemStorage(join(dir, 'artifacts'))
  const key = generateSigningKey('first view passphrase')
  const signer = new KeySigner(decryptSigningKey(key.privateKeyPem, 'first view passphrase'))
  for (let i = 0; i < count; i++) {
    const version = `1.${Math.floor(i / 100)}.${i % 100}`
    const files = { [`migrations/${String(i).padStart(4, '0')}.sql`]: `CREATE TABLE t${i} (id int);` }
    const { manifest, bundle } = await makeTestVersion(version, files, { notes: `release ${i}` })
    const ref = await storage.push({ manifest, bundle })
    await storage.attach!(ref, await signVersion(signer, ref, manifest, buildEnvironment({})))
  }
  const policy = new SignaturePolicy({ signatures: 'required', publicKeys: { [key.keyId]: key.publicKeyPem } })
  server = await createConsoleServer({ storage, policy, port: 0 })
}, 600_000)
afterAll(async () => {
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

it(`shows the first page of ${count} signed versions, verified, quickly`, async () => {
  const started = performance.now()
  const res = await fetch(`${server.url}/releases`)
  const page = await res.text()
  const firstViewMs = performance.now() - started
  expect(res.status).toBe(200)
  expect(page).toContain(`Releases 1–25 of ${count}, newest first`)
  expect(page.match(/<tr>\s*<th scope="row">/g)).toHaveLength(25)
  expect(page.match(/✓<\/span> verified/g)).toHaveLength(25)
  expect(page).toContain('Page 1 of 40')
  const again = performance.now()
  await (await fetch(`${server.url}/api/releases?page=40`)).json()
  const lastPageMs = performance.now() - again
  console.info(
    `[console] first view of ${count} versions: ${Math.round(firstViewMs)} ms cold; ` +
      `last page ${Math.round(lastPageMs)} ms`,
  )
  expect(firstViewMs).toBeLessThan(10_000)
})
