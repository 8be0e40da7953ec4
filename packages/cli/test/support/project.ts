import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** A throwaway Squizzle project folder. */
export interface TestProject {
  dir: string
  /** Writes `db/<kind>/<name>` with `sql`. */
  add(kind: 'migrations' | 'rollback' | 'seed', name: string, sql: string): Promise<void>
  remove(): Promise<void>
}

/**
 * Creates a project with a minimal squizzle.config.yaml.
 *
 * @example
 * ```ts
 * const project = await createProject()
 * await project.add('migrations', '001_users.sql', 'CREATE TABLE users (id int);')
 * ```
 */
export async function createProject(config = 'storage: file:.squizzle/artifacts\n'): Promise<TestProject> {
  const dir = await mkdtemp(join(tmpdir(), 'squizzle-cli-'))
  await writeFile(join(dir, 'squizzle.config.yaml'), config)
  return {
    dir,
    async add(kind, name, sql) {
      const file = join(dir, 'db', kind, name)
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, sql)
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}
