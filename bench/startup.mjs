// pnpm bench, start-up and apply CPU: each tool is a fresh process on one private PostgreSQL,
// interleaved round by round, timed with /usr/bin/time (wall, user+system CPU, peak RSS):
// - the floors: `node -e 0` and a bare postgres.js `select 1` (what any Node database tool pays);
// - `squizzle --version`, and a no-op `squizzle apply` of a version of 500 files already applied;
// - applying those 500 small files: squizzle, `psql -1 -f`, and a plain postgres.js runner.
// SQUIZZLE_BIN_BEFORE=/path/to/older/dist/bin.js adds the same rows for that build (before/after).
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeSmallFiles } from './generate.mjs'
import { interleave, loadAverage, measure, median } from './lib/measure.mjs'
import { bin, fmt, newProject, psql, startServer, workFolder } from './lib/setup.mjs'

const rounds = Number(process.env.BENCH_RUNS ?? 5)
const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const bins = { after: bin, ...(process.env.SQUIZZLE_BIN_BEFORE ? { before: process.env.SQUIZZLE_BIN_BEFORE } : {}) }
const run = (b, cwd, args, env = {}) => measure(process.execPath, [b, ...args], { cwd, env: { NO_COLOR: '1', ...env } })

const server = await startServer()
const work = workFolder('startup')
try {
  const files = writeSmallFiles(join(work, 'sql'), 500)
  const project = newProject(join(work, 'p'))
  cpSync(join(work, 'sql'), join(project, 'db', 'migrations'), { recursive: true })
  run(bin, project, ['build', '1.0.0', '--irreversible', '--quiet', '--no-snapshot'])
  const applied = await server.freshDatabase()
  run(bin, project, ['apply', '--quiet'], { DATABASE_URL: applied })
  /** A fresh database after a CHECKPOINT, so no run pays for another's WAL. */
  const fresh = async () => {
    const url = await server.freshDatabase()
    await server.admin`CHECKPOINT`
    return url
  }
  const psqlArgs = (url) => ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', ...files.flatMap((f) => ['-f', f]), url]
  const cases = {
    'node -e 0': () => measure(process.execPath, ['-e', '0']),
    'postgres.js select 1': () => measure(process.execPath, [here('./lib/select-one.mjs'), server.url]),
    'psql -1 -f (500 files)': async () =>
      measure(psql, psqlArgs(await fresh()), { env: { PGOPTIONS: '-c client_min_messages=warning' } }),
    'postgres.js (500 files)': async () =>
      measure(process.execPath, [here('./lib/postgres-js-runner.mjs'), await fresh(), ...files]),
  }
  for (const [label, b] of Object.entries(bins)) {
    cases[`${label}: --version`] = () => run(b, project, ['--version'])
    cases[`${label}: no-op apply`] = () => run(b, project, ['apply', '--quiet'], { DATABASE_URL: applied })
    cases[`${label}: apply (500 files)`] = async () =>
      run(b, project, ['apply', '--quiet'], { DATABASE_URL: await fresh() })
  }
  const samples = await interleave(rounds, cases)
  const m = (name, key) => median(samples[name].map((x) => x[key]))
  console.log(`\nStart-up and apply CPU: median of ${rounds} interleaved rounds, PostgreSQL ${await server.major()}\n`)
  console.log('case'.padEnd(34), 'wall'.padStart(8), 'cpu'.padStart(8), 'peak RSS'.padStart(9), '  goal')
  const goals = goalsFor(m)
  for (const name of Object.keys(samples)) {
    const row = [name.padEnd(34), fmt.s(m(name, 'wall')).padStart(8), fmt.s(m(name, 'cpu')).padStart(8)]
    console.log(...row, fmt.mb(m(name, 'rssMb')).padStart(9), ` ${goals[name] ?? ''}`)
  }
  console.log(`\nload average ${await loadAverage()}`)
} finally {
  await server.stop()
}

/** The goals of issue #14 that these rows are measured against, as text next to each squizzle row. */
function goalsFor(m) {
  const goals = {}
  for (const label of Object.keys(bins)) {
    const version = m(`${label}: --version`, 'wall') / m('node -e 0', 'wall')
    const noop = m(`${label}: no-op apply`, 'wall') / m('postgres.js select 1', 'wall')
    const wall = m(`${label}: apply (500 files)`, 'wall') / m('psql -1 -f (500 files)', 'wall')
    goals[`${label}: --version`] = `${fmt.x(version)} node -e 0 (goal <= 1.30x)`
    goals[`${label}: no-op apply`] = `${fmt.x(noop)} postgres.js select 1 (goal <= 1.25x)`
    goals[`${label}: apply (500 files)`] = `${fmt.x(wall)} psql wall (goal <= 1.05x), cpu goal <= 0.75 s`
  }
  return goals
}
