import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { mediaTypes } from '@squizzle/core/oci'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { createTestDatabase, query } from '@squizzle/testkit'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { binPath, squizzle, type CliResult } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

// Text from elsewhere (SQL in a bundle, object names and comments anyone with CREATE can
// set, bytes of an unsigned attachment) carrying sequences that would clear the screen,
// set the window title, hide text (SGR 8) or reverse it (bidi override). None may reach a
// terminal raw; each must show as a visible escape.
const clear = '\u001b[2J'
const title = '\u001b]0;pwned\u0007'
const conceal = '\u001b[8m'
const reverse = '\u202e'
const c1 = '\u009b31m'
const raw = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

let project: TestProject
let url: string

beforeEach(async () => {
  project = await createProject()
  url = await createTestDatabase(inject('postgresUrl'))
})
afterEach(() => project.remove())

const run = (...args: string[]) => squizzle(args, { cwd: project.dir, env: { DATABASE_URL: url } })

function expectNoRawControls(r: CliResult): void {
  for (const [name, text] of [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
  ] as const) {
    const found = raw.exec(text)
    expect(
      found &&
        `${name} has raw U+${found[0].codePointAt(0)!.toString(16).padStart(4, '0')} near ${JSON.stringify(text.slice(Math.max(0, found.index - 20), found.index + 20))}`,
    ).toBeNull()
  }
}

async function hostileMigration(): Promise<void> {
  await project.add(
    'migrations',
    '001_t.sql',
    `CREATE TABLE t (id int);\nCOMMENT ON TABLE t IS 'ok${clear}${title}${conceal}DROP${reverse}gnp${c1}';\n`,
  )
  expect((await run('build', '1.0.0', '--irreversible')).code).toBe(0)
}

describe('nothing from elsewhere reaches a terminal raw', () => {
  it('apply --dry-run shows escapes in the SQL as visible escapes, and --json keeps the SQL exact', async () => {
    await hostileMigration()
    const text = await run('apply', '--dry-run')
    expect(text.code).toBe(0)
    expectNoRawControls(text)
    expect(text.stdout).toContain("'ok\\x1b[2J\\x1b]0;pwned\\x07\\x1b[8mDROP\\u202egnp\\x9b31m'")
    const json = await run('apply', '--dry-run', '--json')
    expectNoRawControls(json)
    const statements = (
      JSON.parse(json.stdout) as { versions: { segments: { files: { statements: { text: string }[] }[] }[] }[] }
    ).versions[0]!.segments[0]!.files[0]!.statements
    expect(statements.map((s) => s.text).join('\n')).toContain(`${clear}${title}${conceal}DROP${reverse}gnp${c1}`)
  })

  it('drift shows escapes in object names and comments as visible escapes', async () => {
    await hostileMigration()
    expect((await run('apply')).code).toBe(0)
    await query(
      url,
      `CREATE TABLE "evil${conceal}name${reverse}" (id int); COMMENT ON TABLE t IS 'changed${clear}${reverse}'`,
    )
    const r = await run('drift')
    expect(r.code).toBe(0)
    expectNoRawControls(r)
    expect(r.stdout).toContain('evil\\x1b[8mname\\u202e')
    expect(r.stdout).toContain('changed\\x1b[2J\\u202e')
    expectNoRawControls(await run('status'))
  })

  it('sbom shows the bytes of an unsigned attachment escaped', async () => {
    const storage = createFilesystemStorage(join(project.dir, '.squizzle/artifacts'))
    const ref = await storage.push(await makeTestVersion('1.0.0', { 'migrations/001.sql': 'CREATE TABLE t (id int);' }))
    const data = Buffer.from(
      `{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":"${clear}${title}${reverse}${c1}"}`,
    )
    await storage.attach!(ref, {
      artifactType: mediaTypes.cyclonedx,
      mediaType: 'application/vnd.cyclonedx+json',
      data,
    })
    const r = await run('sbom', '1.0.0')
    expect(r.code).toBe(0)
    expectNoRawControls(r)
    expect(r.stdout).toContain('\\x1b[2J\\x1b]0;pwned\\x07\\u202e\\x9b31m')
    const json = await run('sbom', '1.0.0', '--json')
    expect([json.code, (JSON.parse(json.stdout) as { error: { code: string } }).error.code]).toEqual([
      3,
      'MANIFEST_INVALID',
    ])
    expectNoRawControls(json)
  })

  it('error messages quoting SQL or object names are escaped too', async () => {
    await project.add('migrations', '001_t.sql', `SELECT * FROM "missing${clear}${reverse}";\n`)
    expect((await run('build', '1.0.0', '--irreversible', '--no-snapshot')).code).toBe(0)
    for (const args of [['apply'], ['apply', '--verbose']]) {
      const r = await run(...args)
      expect(r.code).toBe(1)
      expectNoRawControls(r)
      expect(r.stderr).toContain('missing\\x1b[2J\\u202e')
    }
    const json = await run('apply', '--json')
    expectNoRawControls(json)
    expect((JSON.parse(json.stdout) as { error: { message: string } }).error.message).toContain(
      `missing${clear}${reverse}`,
    )
  })

  it('in a real terminal, keeps its own colours and writes the hostile bytes escaped', async () => {
    await hostileMigration()
    const r = await inTerminal(['apply', '--dry-run'])
    expect(r.code, r.output).toBe(0)
    // Our styling arrives as SGR sequences (colour is on: a TTY, no NO_COLOR) …
    expect(r.output).toContain('\u001b[1m-- version 1.0.0')
    expect(r.output).toContain('\u001b[22m')
    // … and every ESC in the output is one of them; nothing else can drive the terminal.
    expect(r.output.match(/\u001b[^[]|\u001b\[(?!(?:1|2|22|31|32|33|36|39)m)/g)).toBeNull()
    expect(r.output).not.toMatch(/[\u009b\u202e]/)
    expect(r.output).toContain('\\x1b[2J\\x1b]0;pwned\\x07\\x1b[8mDROP\\u202egnp\\x9b31m')
  })
})

/** Runs the CLI under a pseudo-terminal (util-linux `script`), returning the raw bytes the terminal got. */
function inTerminal(args: string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, binPath, ...args].join(' ')
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: project.dir,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      TERM: 'xterm-256color',
      DATABASE_URL: url,
      SQUIZZLE_DEV_URL: inject('postgresUrl'),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')))
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')))
  return new Promise((resolve, reject) => {
    child.on('error', (err) =>
      reject(new Error(`cannot run \`script\` (util-linux) for a pseudo-terminal: ${err.message}`)),
    )
    child.on('close', (code) => resolve({ code, output }))
  })
}
