// pnpm bench, history scale: what `list`, `status`, a no-op `apply`, `verify` of the latest
// version and one more `build` cost with 1, 100 and 1,000 stored and applied versions
// (BENCH_HISTORY=1,100,1000). Each is a fresh CLI process, interleaved round by round (wall and CPU); the
// goal is that the largest history costs at most 1.2x the smallest. The histories are written
// directly (bench/lib/history.mjs), as `build` would write them, then applied once.
// SQUIZZLE_BIN_BEFORE=/path/to/older/dist/bin.js adds the same rows for that build.
import { cpSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { migrationAt, versionAt, writeHistory } from './lib/history.mjs'
import { interleave, loadAverage, measure, median } from './lib/measure.mjs'
import { bin, fmt, startServer, workFolder } from './lib/setup.mjs'

const rounds = Number(process.env.BENCH_RUNS ?? 3)
const sizes = (process.env.BENCH_HISTORY ?? '1,100,1000').split(',').map(Number)
const bins = { after: bin, ...(process.env.SQUIZZLE_BIN_BEFORE ? { before: process.env.SQUIZZLE_BIN_BEFORE } : {}) }
const run = (b, cwd, args, env = {}) => measure(process.execPath, [b, ...args], { cwd, env: { NO_COLOR: '1', ...env } })

const server = await startServer()
const work = workFolder('history')
try {
  const projects = {}
  for (const n of sizes) {
    const started = Date.now()
    const dir = await writeHistory(join(work, `h${n}`), n, '0.1.0')
    const url = await server.freshDatabase()
    // Setting up 1,000 applied versions is not what is measured: no flush per commit.
    await server.admin.unsafe(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET synchronous_commit = off`)
    run(bin, dir, ['apply', '--quiet'], { DATABASE_URL: url })
    projects[n] = { dir, url }
    console.log(`set up ${n} versions in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
  const cases = {}
  for (const [label, b] of Object.entries(bins)) {
    for (const n of sizes)
      for (const [command, fn] of Object.entries(commands(b, projects[n], n))) {
        cases[`${label}|${command}|${n}`] = fn
      }
  }
  const samples = await interleave(rounds, cases)
  printTable(samples, 'wall')
  // CPU (user + system) of the CLI process: steadier than wall on a machine others load too.
  printTable(samples, 'cpu')
  console.log(`\nload average ${await loadAverage()}`)
} finally {
  await server.stop()
}

/** The measured commands on the project with `n` versions. */
function commands(b, { dir, url }, n) {
  const env = { DATABASE_URL: url }
  let copies = 0
  return {
    list: () => run(b, dir, ['list', '--json'], env),
    status: () => run(b, dir, ['status', '--json'], env),
    'no-op apply': () => run(b, dir, ['apply', '--quiet'], env),
    'verify latest': () => run(b, dir, ['verify', versionAt(n), '--quiet'], env),
    'build one more': () => {
      // On a copy, so every round builds the same next version on the same history.
      const copy = join(work, `copy-${n}-${++copies}`)
      cpSync(dir, copy, { recursive: true })
      const { name, sql } = migrationAt(n + 1)
      writeFileSync(join(copy, 'db', 'migrations', name), sql)
      try {
        return run(b, copy, ['build', versionAt(n + 1), '--quiet', '--irreversible', '--no-snapshot'])
      } finally {
        rmSync(copy, { recursive: true, force: true })
      }
    },
  }
}

function printTable(samples, field) {
  const what = field === 'cpu' ? 'CPU (user + system)' : 'wall'
  console.log(`\nHistory scale: median ${what} of ${rounds} interleaved rounds (goal: largest <= 1.2x smallest)\n`)
  console.log('command'.padEnd(24), ...sizes.map((n) => `${n} versions`.padStart(14)), 'ratio'.padStart(8))
  const rows = new Map()
  for (const [key, runs] of Object.entries(samples)) {
    const [label, command, n] = key.split('|')
    const row = rows.get(`${label}: ${command}`) ?? {}
    row[n] = median(runs.map((x) => x[field]))
    rows.set(`${label}: ${command}`, row)
  }
  for (const [name, row] of rows) {
    const ratio = row[sizes.at(-1)] / row[sizes[0]]
    console.log(name.padEnd(24), ...sizes.map((n) => fmt.s(row[n]).padStart(14)), fmt.x(ratio).padStart(8))
  }
}
