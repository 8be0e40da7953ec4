import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject
const run = (args: string[], env: Record<string, string> = {}) => squizzle(args, { cwd: project.dir, env })
const errorOf = (stdout: string) =>
  (JSON.parse(stdout) as { error: { code: string; hint: string; details?: Record<string, unknown> } }).error

beforeEach(async () => {
  project = await createProject()
})
afterEach(() => project.remove())

describe('did you mean', () => {
  it('names the command meant by a mistyped one', async () => {
    const r = await run(['aply', '--dry-run'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('unknown command "aply"')
    expect(r.stderr).toContain('Did you mean `squizzle apply`?')
    expect(errorOf((await run(['stauts', '--json'])).stdout).details).toMatchObject({ suggestion: 'status' })
  })

  it('refuses an unknown flag in its own words, naming the flag meant', async () => {
    const r = await run(['apply', '--dryrun'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('squizzle apply has no option --dryrun')
    expect(r.stderr).toContain('Did you mean --dry-run?')
    // Not Node's parseArgs text, with its quoting meant for another audience.
    expect(r.stderr).not.toMatch(/Unknown option|To specify a positional argument/)
    const flag = await run(['status', '--json=yes'])
    expect([flag.code, flag.stderr]).toEqual([2, expect.stringContaining('--json takes no value')])
    const value = await run(['rollback', '--to'])
    expect([value.code, value.stderr]).toEqual([2, expect.stringContaining('--to needs a value')])
  })

  it('names the config key meant, with the file and the path of the key', async () => {
    await writeFile(
      join(project.dir, 'squizzle.config.yaml'),
      'storage: file:.squizzle/artifacts\nenvironments:\n  ci:\n    lockTimeOutMs: 5\n',
    )
    const r = await run(['list'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(join(project.dir, 'squizzle.config.yaml'))
    expect(r.stderr).toContain(
      '/environments/ci has an unknown property "lockTimeOutMs" (did you mean "lockTimeoutMs"?)',
    )
  })

  it('suggests nothing for a word close to no command', async () => {
    const r = await run(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).not.toContain('Did you mean')
  })
})

describe('help', () => {
  it.each([60, 80, 120])('wraps to COLUMNS=%i, continuation lines indented under the description', async (columns) => {
    for (const args of [['--help'], ['apply', '--help'], ['rollback', '--help']]) {
      const r = await run(args, { COLUMNS: String(columns) })
      expect(r.code).toBe(0)
      const lines = r.stdout.split('\n')
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns)
    }
    const lines = (await run(['rollback', '--help'], { COLUMNS: String(columns) })).stdout.split('\n')
    const at = lines.findIndex((l) => l.trimStart().startsWith('--to VERSION'))
    const column = lines[at]!.indexOf('undo every applied version')
    // The --to description is longer than 60 columns: its next line starts under the description.
    if (columns === 60) expect(lines[at + 1]!.search(/\S/)).toBe(column)
    else expect(lines[at]).toContain('newest first')
  })

  it('takes `help` and `help <command>` as --help, as git and npm do', async () => {
    expect(await run(['help'])).toEqual(await run(['--help']))
    const apply = await run(['help', 'apply'])
    expect(apply.code).toBe(0)
    expect(apply.stdout).toBe((await run(['apply', '--help'])).stdout)
    const typo = await run(['help', 'aply'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('squizzle apply')
  })

  it('wraps to 80 columns when not on a terminal and COLUMNS is not set', async () => {
    const r = await run(['--help'])
    expect(Math.max(...r.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80)
    expect(r.stdout).toContain('file:.squizzle/artifacts')
  })
})

describe('hints never suggest the command that just failed', () => {
  it('diff of one version with itself does not suggest the same diff', async () => {
    expect((await run(['init'])).code).toBe(0)
    const r = await run(['diff', '1.0.0', '1.0.0'])
    expect(r.code).toBe(2)
    expect(r.stderr).not.toContain('squizzle diff 1.0.0 1.0.0')
    expect(r.stderr).toContain('squizzle list')
  })
})

describe('init', () => {
  it('ends with next steps for your own files and says what to commit; ignores .squizzle/', async () => {
    const r = await run(['init'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('squizzle new init')
    expect(r.stdout).toMatch(/db\/migrations\/<timestamp>_init\.sql and db\/rollback\/<timestamp>_init\.sql/)
    expect(r.stdout).toMatch(/Commit squizzle\.config\.yaml and db\/ \(with db\/squizzle\.sum/)
    expect(r.stdout).toContain('.squizzle/ (the local layout and caches) stays out of git')
    expect(r.stdout).not.toMatch(/001_init|003_orders/)
    expect(await readFile(join(project.dir, '.gitignore'), 'utf8')).toMatch(/^\.squizzle\/$/m)
  })

  it('adds .squizzle/ to an existing .gitignore once', async () => {
    await writeFile(join(project.dir, '.gitignore'), 'node_modules/')
    expect((await run(['init'])).code).toBe(0)
    expect((await run(['init'])).code).toBe(0)
    expect(await readFile(join(project.dir, '.gitignore'), 'utf8')).toBe('node_modules/\n.squizzle/\n')
  })

  it('the next steps it names work: new, then build', async () => {
    expect((await run(['init'])).code).toBe(0)
    const created = JSON.parse((await run(['new', 'init', '--json'])).stdout) as { migration: string; rollback: string }
    await writeFile(join(project.dir, created.migration), 'CREATE TABLE t (id int);\n')
    await writeFile(join(project.dir, created.rollback), 'DROP TABLE t;\n')
    const build = await run(['build', '0.1.0', '--no-snapshot'])
    expect(build.code, build.stderr).toBe(0)
  })
})

describe('colour', () => {
  const sgr = /\u001b\[\d+m/
  it('FORCE_COLOR forces colour into a pipe; FORCE_COLOR=0 and --no-color switch it off', async () => {
    // NO_COLOR=1 comes with every test process: FORCE_COLOR wins over it, as in Node.
    expect((await run(['diff', '1.0.0', '1.0.0'], { FORCE_COLOR: '1' })).stderr).toMatch(sgr)
    expect((await run(['diff', '1.0.0', '1.0.0'], { FORCE_COLOR: '3' })).stderr).toMatch(sgr)
    expect((await run(['diff', '1.0.0', '1.0.0'], { FORCE_COLOR: '0' })).stderr).not.toMatch(sgr)
    expect((await run(['diff', '1.0.0', '1.0.0', '--no-color'], { FORCE_COLOR: '1' })).stderr).not.toMatch(sgr)
    expect((await run(['diff', '1.0.0', '1.0.0'])).stderr).not.toMatch(sgr)
  })

  it('never colours --json', async () => {
    expect((await run(['diff', '1.0.0', '1.0.0', '--json'], { FORCE_COLOR: '1' })).stdout).not.toMatch(sgr)
  })
})
