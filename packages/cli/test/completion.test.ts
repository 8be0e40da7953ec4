import { spawn } from 'node:child_process'
import { makeTestVersion } from '@squizzle/core/testing'
import { createFilesystemStorage } from '@squizzle/storage-filesystem'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { binPath, squizzle } from './support/cli-process.js'
import { createProject, type TestProject } from './support/project.js'

let project: TestProject

beforeEach(async () => {
  project = await createProject()
})
afterEach(() => project.remove())

/** Sources the bash script in a real bash and asks its function for the completions of `words`. */
async function complete(words: string[]): Promise<string[]> {
  const script = (await squizzle(['completion', 'bash'], { cwd: project.dir })).stdout
  const quoted = words.map((w) => `'${w}'`).join(' ')
  const program = [
    // `squizzle` as the user runs it: the completion calls it back for versions.
    `squizzle() { '${process.execPath}' '${binPath}' "$@"; }`,
    script,
    `COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}`,
    '_squizzle',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n')
  const child = spawn('bash', ['--norc', '--noprofile', '-c', program], {
    cwd: project.dir,
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' },
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  expect(code, out).toBe(0)
  return out.split('\n').filter((l) => l !== '')
}

describe('squizzle completion', () => {
  it('completes commands in a real bash', async () => {
    expect(await complete(['squizzle', 'ap'])).toEqual(['apply'])
    expect(await complete(['squizzle', 'r'])).toEqual(['rollback', 'repair'])
    expect(await complete(['squizzle', '--env', 'prod', 'sta'])).toEqual(['status'])
  })

  it('completes each command its own flags and the global ones', async () => {
    expect(await complete(['squizzle', 'apply', '--dr'])).toEqual(['--dry-run'])
    expect(await complete(['squizzle', 'rollback', '--y'])).toEqual(['--yes'])
    expect(await complete(['squizzle', 'status', '--dr'])).toEqual([])
    expect(await complete(['squizzle', 'new', '--no-'])).toEqual(['--no-color', '--no-rollback'])
  })

  it('completes stored versions where a command takes one, and shells after completion', async () => {
    const storage = createFilesystemStorage(join(project.dir, '.squizzle/artifacts'))
    await storage.push(await makeTestVersion('1.0.0'))
    await storage.push(await makeTestVersion('1.1.0'))
    expect(await complete(['squizzle', 'verify', '1.'])).toEqual(['1.0.0', '1.1.0'])
    expect(await complete(['squizzle', 'rollback', '--to', ''])).toEqual(['1.0.0', '1.1.0'])
    expect(await complete(['squizzle', 'completion', ''])).toEqual(['bash', 'zsh', 'fish'])
    expect(await complete(['squizzle', 'export', '1.1'])).toEqual(['1.1.0'])
  })

  it('completes file names where a command takes a file: import, export -o, sql --out', async () => {
    await writeFile(join(project.dir, 'release-1.2.0.tar'), '')
    expect(await complete(['squizzle', 'import', 'release-'])).toEqual(['release-1.2.0.tar'])
    expect(await complete(['squizzle', 'export', '1.0.0', '-o', 'release-'])).toEqual(['release-1.2.0.tar'])
    expect(await complete(['squizzle', 'sql', '1.0.0', '--out', 'release-'])).toEqual(['release-1.2.0.tar'])
  })

  it('prints zsh and fish scripts for every command, and refuses another shell', async () => {
    const zsh = await squizzle(['completion', 'zsh'], { cwd: project.dir })
    expect(zsh.stdout).toMatch(/^#compdef squizzle/)
    expect(zsh.stdout).toContain("'apply:Apply every pending version")
    const fish = await squizzle(['completion', 'fish'], { cwd: project.dir })
    expect(fish.stdout).toContain('complete -c squizzle -n "__fish_seen_subcommand_from apply" -l dry-run')
    expect(zsh.stdout).toContain('import) _files ;;')
    expect(fish.stdout).toContain('complete -c squizzle -n "__fish_seen_subcommand_from import" -F')
    expect((await squizzle(['completion', 'tcsh'], { cwd: project.dir })).code).toBe(2)
  })
})
