// Shared set-up of the benchmarks: one private PostgreSQL, fresh databases on it,
// the squizzle binary under test and small project helpers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { startEmbeddedPostgres } from '@squizzle/driver-postgres/embedded'
import postgres from 'postgres'
import { measure } from './measure.mjs'

/** The CLI under test: the workspace build, or `SQUIZZLE_BIN` (e.g. an older build, for before/after). */
export const bin = process.env.SQUIZZLE_BIN
  ? resolve(process.env.SQUIZZLE_BIN)
  : join(dirname(createRequire(import.meta.url).resolve('@squizzle/cli/package.json')), 'dist', 'bin.js')

export const psql = process.env.PSQL ?? 'psql'

/** A private server (fsync on, like a real one) and an admin connection to it. */
export async function startServer() {
  const pg = await startEmbeddedPostgres()
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} })
  let count = 0
  return {
    url: pg.url,
    admin,
    /** A new, empty database; returns its URL. */
    async freshDatabase(prefix = 'bench') {
      const name = `${prefix}_${++count}`
      await admin.unsafe(`CREATE DATABASE ${name}`)
      const url = new URL(pg.url)
      url.pathname = `/${name}`
      return url.toString()
    },
    async major() {
      return (await admin`SHOW server_version`)[0].server_version
    },
    async stop() {
      await admin.end()
      await pg.stop()
    },
  }
}

/** A scratch folder removed at exit. */
export function workFolder(name) {
  const dir = mkdtempSync(join(tmpdir(), `squizzle-bench-${name}-`))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** An empty squizzle project (file storage) at `dir`. */
export function newProject(dir) {
  mkdirSync(join(dir, 'db', 'migrations'), { recursive: true })
  writeFileSync(join(dir, 'squizzle.config.yaml'), 'storage: file:.squizzle/artifacts\n')
  return dir
}

/** Runs the CLI under test (wall, CPU, peak RSS); throws on a non-zero exit. */
export function squizzle(cwd, args, env = {}) {
  return measure(process.execPath, [bin, ...args], { cwd, env: { NO_COLOR: '1', ...env } })
}

/** Formats seconds and ratios for the tables. */
export const fmt = {
  s: (x) => `${x.toFixed(2)} s`,
  ms: (x) => `${(x * 1000).toFixed(0)} ms`,
  x: (x) => `${x.toFixed(2)}x`,
  mb: (x) => `${x.toFixed(0)} MB`,
}
