import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it, onTestFinished } from 'vitest'
import { squizzle, type CliResult } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// Greps everything a user or an auditor can see (stdout, stderr, --json, --verbose, the audit
// and history tables) for the database password, the signing key passphrase and the key itself.
const passphrase = 'Pa55phrase-never-printed'
let project: TestProject
let url: URL

beforeEach(async () => {
  url = new URL(await createTestDatabase(inject('postgresUrl')))
  project = await createProject(
    'storage: file:.squizzle/artifacts\nsigning:\n  key: release.key\ntrust:\n  signatures: required\n  publicKeys: [release.pub]\n',
  )
})
afterEach(() => project.remove())

const run = (args: string[], env: Record<string, string> = {}) =>
  squizzle(args, {
    cwd: project.dir,
    env: { DATABASE_URL: url.toString(), SQUIZZLE_SIGNING_KEY_PASSPHRASE: passphrase, ...env },
  })

function expectClean(results: CliResult[], secrets: string[]): void {
  for (const r of results)
    for (const s of secrets) expect(r.stdout + r.stderr, `output of a run leaks ${s.slice(0, 12)}…`).not.toContain(s)
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
    results.push(
      await run(['sign', '1.1.0', '--json', '--verbose'], { SQUIZZLE_SIGNING_KEY_PASSPHRASE: 'Wrong-passphrase-42' }),
    )
    results.push(await run(['status', '--json', '--verbose']), await run(['verify', '1.1.0', '--json', '--verbose']))
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 4, 4, 2, 2, 0, 4])
    expectClean(results, [url.password, passphrase, 'Wrong-passphrase-42', privateKeyBody])
    const tables = await query(
      url.toString(),
      'SELECT (SELECT json_agg(a)::text FROM squizzle.audit a) || (SELECT json_agg(h)::text FROM squizzle.history h) AS everything',
    )
    const everything = String(tables[0]?.['everything'])
    expect(everything).toContain('1.0.0')
    for (const s of [url.password, passphrase, privateKeyBody]) expect(everything).not.toContain(s)
  })
})

// Passwords as people paste them into DATABASE_URL, unencoded. Each gets a real role
// with exactly that password, so connecting proves the CLI read the password as written.
const passwordForms: { name: string; password: string; written: string; url: (user: string, at: string) => string }[] =
  [
    {
      name: 'raw @ : / % &',
      password: 'p@ss:w/rd%&x',
      written: 'p@ss:w/rd%25&x',
      url: (u, at) => `postgres://${u}:p@ss:w/rd%25&x@${at}`,
    },
    { name: 'a raw #', password: 'Zq#8xW!k', written: 'Zq#8xW!k', url: (u, at) => `postgres://${u}:Zq#8xW!k@${at}` },
    { name: 'a raw ?', password: 'Jv?9tR=m', written: 'Jv?9tR=m', url: (u, at) => `postgres://${u}:Jv?9tR=m@${at}` },
    {
      name: 'a raw % that starts no escape',
      password: '100%sure',
      written: '100%sure',
      url: (u, at) => `postgres://${u}:100%sure@${at}`,
    },
    {
      name: '?password= in the query string',
      password: 'Qp@ss&w=rd',
      written: 'Qp%40ss%26w%3Drd',
      url: (u, at) => `postgres://${u}@${at}?password=Qp%40ss%26w%3Drd`,
    },
  ]

/** Every 4-character piece of the password and of the URL text that spells it, and its encoded forms. */
function piecesOf(password: string, written: string): string[] {
  const pieces = new Set<string>([encodeURIComponent(password), encodeURIComponent(written)])
  for (const text of [password, written]) for (let i = 0; i + 4 <= text.length; i++) pieces.add(text.slice(i, i + 4))
  return [...pieces]
}

describe('database passwords however they are written', () => {
  it.each(passwordForms)(
    'connects with $name and never prints any piece of it',
    async ({ password, written, url: urlOf }) => {
      const server = new URL(inject('postgresUrl'))
      const role = `pw_${randomBytes(4).toString('hex')}`
      const databaseUrl = new URL(await createTestDatabase(inject('postgresUrl')))
      const database = databaseUrl.pathname.slice(1)
      await query(server.toString(), `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`)
      await query(server.toString(), `ALTER DATABASE ${database} OWNER TO ${role}`)
      const plain = await createProject()
      onTestFinished(() => plain.remove())
      await plain.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
      const as = (at: string, ...args: string[]) =>
        squizzle(args, { cwd: plain.dir, env: { DATABASE_URL: urlOf(role, `${server.host}/${at}`) } })
      const missing = `${database}_missing`
      const results = [
        await as(database, 'build', '1.0.0', '--irreversible', '--no-snapshot'),
        await as(database, 'apply', '--verbose'),
        await as(database, 'status', '--json', '--verbose'),
        await as(database, 'status'),
        await as(missing, 'status', '--verbose'),
        await as(missing, 'apply', '--json', '--verbose'),
        await as(missing, 'apply', '--dry-run'),
      ]
      const output = results.map((r) => r.stdout + r.stderr).join('\n')
      expect(
        results.map((r) => r.code),
        output,
      ).toEqual([0, 0, 0, 0, 1, 1, 1])
      expect(output).toContain(`${role}:***@`)
      expect(piecesOf(password, written).filter((piece) => output.includes(piece))).toEqual([])
      // Applied as that role (history records current_user), and nothing stored names the password.
      const [stored] = await query(
        databaseUrl.toString(),
        'SELECT (SELECT json_agg(a)::text FROM squizzle.audit a) || (SELECT json_agg(h)::text FROM squizzle.history h) AS everything',
      )
      const everything = String(stored?.['everything'])
      expect(everything).toContain(`"database_user":"${role}"`)
      expect(piecesOf(password, written).filter((piece) => everything.includes(piece))).toEqual([])
    },
  )
})
