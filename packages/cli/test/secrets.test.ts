import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { squizzle, type CliResult } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// Greps everything a user or an auditor can see (stdout, stderr, --json, --verbose, the audit
// and history tables) for the database password, the signing key passphrase and the key itself.
const passphrase = 'Pa55phrase-never-printed'
let project: TestProject
let url: URL

beforeEach(async () => {
  url = new URL(await createTestDatabase(inject('postgresUrl')))
  project = await createProject('storage: file:.squizzle/artifacts\nsigning:\n  key: release.key\ntrust:\n  signatures: required\n  publicKeys: [release.pub]\n')
})
afterEach(() => project.remove())

const run = (args: string[], env: Record<string, string> = {}) =>
  squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url.toString(), SQUIZZLE_SIGNING_KEY_PASSPHRASE: passphrase, ...env } })

function expectClean(results: CliResult[], secrets: string[]): void {
  for (const r of results) for (const s of secrets) expect(r.stdout + r.stderr, `output of a run leaks ${s.slice(0, 12)}…`).not.toContain(s)
}

describe('secrets never reach output or the database', () => {
  it('keeps the database password, key passphrase and private key out of logs, errors, --json and the audit table', async () => {
    expect(url.password.length).toBeGreaterThan(0)
    const results: CliResult[] = []
    results.push(await run(['keygen', '--out', 'release', '--verbose']))
    const privateKeyBody = (await readFile(join(project.dir, 'release.key'), 'utf8')).split('\n')[1]!
    await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
    results.push(await run(['build', '1.0.0', '--irreversible', '--sign', '--json', '--verbose']))
    results.push(await run(['apply', '--verbose']))
    await project.add('migrations', '002_broken.sql', 'SELECT * FROM missing_table;')
    results.push(await run(['build', '1.1.0', '--irreversible', '--no-snapshot', '--verbose'])) // fails on purpose at apply
    results.push(await run(['apply', '--json', '--verbose']), await run(['apply', '--verbose']))
    results.push(await run(['sign', '1.1.0', '--verbose'], { SQUIZZLE_SIGNING_KEY_PASSPHRASE: 'Wrong-passphrase-42' }))
    results.push(await run(['sign', '1.1.0', '--json', '--verbose'], { SQUIZZLE_SIGNING_KEY_PASSPHRASE: 'Wrong-passphrase-42' }))
    results.push(await run(['status', '--json', '--verbose']), await run(['verify', '1.1.0', '--json', '--verbose']))
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 4, 4, 2, 2, 0, 4])
    expectClean(results, [url.password, passphrase, 'Wrong-passphrase-42', privateKeyBody])
    const tables = await query(url.toString(), "SELECT (SELECT json_agg(a)::text FROM squizzle.audit a) || (SELECT json_agg(h)::text FROM squizzle.history h) AS everything")
    const everything = String(tables[0]?.['everything'])
    expect(everything).toContain('1.0.0')
    for (const s of [url.password, passphrase, privateKeyBody]) expect(everything).not.toContain(s)
  })
})
