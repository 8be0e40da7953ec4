// The main job, end to end, on embedded defaults: start a private PostgreSQL,
// build and sign three versions into a local OCI layout (each recorded in the release ledger
// db/squizzle.sum), apply them (only if signed by the trusted key), show status and drift,
// roll back and re-apply the last one, stop.
// Every run starts from scratch in a temporary folder, so rerunning always works.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmbeddedPostgres } from '@squizzle/driver-postgres/embedded'

const here = dirname(fileURLToPath(import.meta.url))
const bin = join(dirname(createRequire(import.meta.url).resolve('@squizzle/cli/package.json')), 'dist', 'bin.js')
const project = mkdtempSync(join(tmpdir(), 'squizzle-demo-'))
const releases = readdirSync(join(here, 'releases')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))

function squizzle(args, env) {
  console.log(`\n$ squizzle ${args.join(' ')}`)
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: project,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  })
  if (result.status !== 0) throw new Error(`squizzle ${args[0]} exited with ${result.status}`)
}

console.log('Starting a private PostgreSQL server…')
const pg = await startEmbeddedPostgres()
// Builds replay every version on a fresh database of this same server to record the
// expected schema (without SQUIZZLE_DEV_URL they would start an embedded server each).
// The signing key's passphrase comes from the environment; in real life, from a CI secret.
const env = {
  DATABASE_URL: pg.url,
  SQUIZZLE_DEV_URL: pg.url,
  SQUIZZLE_SIGNING_KEY_PASSPHRASE: 'demo only: keep yours in a secret store',
  NO_COLOR: process.env.NO_COLOR ?? '',
}
try {
  cpSync(join(here, 'squizzle.config.yaml'), join(project, 'squizzle.config.yaml'))
  squizzle(['init'], env)
  squizzle(['keygen', '--out', 'keys/release'], env)
  for (const version of releases) {
    // A release adds its new SQL files to the project, then is built into its own bundle.
    cpSync(join(here, 'releases', version), join(project, 'db'), { recursive: true })
    squizzle(['build', version, '--sign', '--notes', `bookshop ${version}`], env)
  }
  // Every build appended its version to the release ledger, db/squizzle.sum: the file to commit with the SQL.
  squizzle(['ledger', 'verify'], env)
  squizzle(['list'], env)
  squizzle(['apply', '--dry-run', releases[0]], env)
  squizzle(['apply'], env)
  squizzle(['apply'], env)
  squizzle(['verify', releases.at(-1)], env)
  squizzle(['status'], env)
  squizzle(['drift', '--check'], env)
  squizzle(['diff', releases[0], releases.at(-1)], env)
  // Undo the last version with the rollback SQL the database kept at apply time, then redo it.
  squizzle(['rollback', '--dry-run'], env)
  squizzle(['rollback', '--yes'], env)
  squizzle(['apply'], env)
  squizzle(['drift', '--check'], env)
  console.log(
    '\nDemo finished: three versions built, signed, verified and applied exactly once, the schema matches the snapshot of the last one, and the last one was rolled back and applied again.',
  )
} finally {
  await pg.stop()
  rmSync(project, { recursive: true, force: true })
}
