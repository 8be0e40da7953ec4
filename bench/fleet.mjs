// pnpm bench, fleet: one small version rolled out to 100 databases on one private PostgreSQL
// with `squizzle fleet apply` (a real CLI process under /usr/bin/time: wall, CPU, peak RSS),
// one target at a time (stage parallel: 1) against eight at a time (parallel: 8), interleaved
// round by round (BENCH_RUNS, default 1), each round on fresh databases copied from a template.
// BENCH_FLEET changes the number of databases. The goal of issue #12: parallel 8 ≥ 5x faster
// than sequential on a 2-core machine, peak RSS < 150 MB.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { interleave, loadAverage, median } from './lib/measure.mjs'
import { fmt, newProject, squizzle, startServer, workFolder } from './lib/setup.mjs'

const rounds = Number(process.env.BENCH_RUNS ?? 1)
const size = Number(process.env.BENCH_FLEET ?? 100)
const server = await startServer()
const work = workFolder('fleet')
let copies = 0

/** `size` fresh databases (copies of an empty template) as a target file; returns the project's environment name. */
async function freshFleet(project, environment) {
  const round = ++copies
  const targets = []
  for (let i = 0; i < size; i++) {
    const name = `fleet_${round}_${i}`
    await server.admin.unsafe(`CREATE DATABASE ${name} TEMPLATE fleet_template`)
    targets.push({ name: `tenant_${i}`, url: Object.assign(new URL(server.url), { pathname: `/${name}` }).toString() })
  }
  writeFileSync(join(project, `${environment}.json`), JSON.stringify(targets))
  await server.admin`CHECKPOINT`
  return environment
}

try {
  await server.admin.unsafe('CREATE DATABASE fleet_template')
  const project = newProject(join(work, 'p'))
  const fleet = (file, parallel) =>
    `    fleet:\n      targets: { file: ${file}.json }\n      stages: [{ name: all, parallel: ${parallel} }]\n`
  writeFileSync(
    join(project, 'squizzle.config.yaml'),
    'storage: file:.squizzle/artifacts\nenvironments:\n' +
      `  sequential:\n${fleet('sequential', 1)}  parallel:\n${fleet('parallel', 8)}`,
  )
  writeFileSync(
    join(project, 'db', 'migrations', '001_accounts.sql'),
    'CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);\n' +
      'CREATE INDEX accounts_name ON accounts (name);\n',
  )
  squizzle(project, ['build', '1.0.0', '--irreversible', '--quiet', '--no-snapshot'])
  const apply = async (env) => squizzle(project, ['fleet', 'apply', '--quiet', '--env', await freshFleet(project, env)])
  const samples = await interleave(rounds, {
    [`sequential (parallel 1), ${size} databases`]: () => apply('sequential'),
    [`parallel 8, ${size} databases`]: () => apply('parallel'),
  })
  console.log(`\nfleet apply of one small version (PostgreSQL ${await server.major()}, load ${await loadAverage()}):`)
  const [sequential, parallel] = Object.values(samples).map((s) => median(s.map((x) => x.wall)))
  for (const [name, s] of Object.entries(samples)) {
    const wall = median(s.map((x) => x.wall))
    console.log(
      `  ${name.padEnd(40)} wall ${fmt.s(wall)}  CPU ${fmt.s(median(s.map((x) => x.cpu)))}` +
        `  peak RSS ${Math.max(...s.map((x) => x.rssMb)).toFixed(0)} MB`,
    )
  }
  console.log(`  parallel 8 is ${(sequential / parallel).toFixed(2)}x faster than sequential`)
} finally {
  await server.stop()
}
