// pnpm bench: `squizzle apply` against `psql -1 -f` of the same SQL, on the same
// PostgreSQL, for (a) one version of 500 small files and (b) one 50 MB seed file.
// Prints wall times (median of runs), the ratio, and squizzle's peak RSS.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { startEmbeddedPostgres } from '@squizzle/driver-postgres/embedded'
import postgres from 'postgres'
import { seedTable, writeBigSeed, writeSmallFiles } from './generate.mjs'

const runs = Number(process.env.BENCH_RUNS ?? 5)
const seedBytes = Number(process.env.BENCH_SEED_MB ?? 50) * 1024 * 1024
const bin = join(dirname(createRequire(import.meta.url).resolve('@squizzle/cli/package.json')), 'dist', 'bin.js')
const psql = process.env.PSQL ?? 'psql'
if (spawnSync(psql, ['--version']).status !== 0) {
  console.error(`psql not found (${psql}); install postgresql-client or set PSQL`)
  process.exit(1)
}

const work = mkdtempSync(join(tmpdir(), 'squizzle-bench-'))
const pg = await startEmbeddedPostgres()
const admin = postgres(pg.url, { max: 1, onnotice: () => {} })
let dbCount = 0
async function freshDatabase() {
  const name = `bench_${++dbCount}`
  await admin.unsafe(`CREATE DATABASE ${name}`)
  const url = new URL(pg.url)
  url.pathname = `/${name}`
  return url.toString()
}

function timed(cmd, args, options) {
  const started = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed (${r.status}): ${r.stderr}`)
  return { seconds, stdout: r.stdout, stderr: r.stderr }
}

/** Builds one version holding `files` (already laid out under project/db) and returns the project dir. */
function buildProject(name, populate) {
  const dir = join(work, name)
  mkdirSync(join(dir, 'db', 'migrations'), { recursive: true })
  writeFileSync(join(dir, 'squizzle.config.yaml'), 'storage: file:.squizzle/artifacts\n')
  populate(dir)
  // This bench times apply; the build-time replay is measured by replay-snapshot.mjs.
  timed(process.execPath, [bin, 'build', '1.0.0', '--irreversible', '--quiet', '--no-snapshot'], { cwd: dir })
  return dir
}

/** Runs `squizzle apply` in a child that reports its own peak RSS. */
function squizzleApply(dir, url) {
  const probe = `process.on('exit', () => process.stderr.write('\\nmaxrss_kb=' + process.resourceUsage().maxRSS + '\\n')); process.argv.splice(1, 0, ${JSON.stringify(bin)}); await import(${JSON.stringify(bin)})`
  const r = timed(process.execPath, ['--input-type=module', '-e', probe, '--', 'apply', '--quiet'], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: url, NO_COLOR: '1' },
  })
  const kb = Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1] ?? NaN)
  return { seconds: r.seconds, rssMb: kb / 1024 }
}

function psqlApply(files, url) {
  return timed(psql, ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', ...files.flatMap((f) => ['-f', f]), url], {
    env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' },
  }).seconds
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Each run starts from a fresh database and a flushed WAL, so neither tool pays for the other's checkpoint. */
async function settled(fn) {
  const url = await freshDatabase()
  await admin`CHECKPOINT`
  return fn(url)
}

async function compare(label, files, project) {
  const ps = []
  const sq = []
  let rss = 0
  for (let i = 0; i < runs; i++) {
    // Alternate who goes first, so any drift over the runs hits both alike.
    const order = i % 2 === 0 ? ['psql', 'squizzle'] : ['squizzle', 'psql']
    for (const tool of order) {
      if (tool === 'psql') ps.push(await settled((url) => psqlApply(files, url)))
      else {
        const r = await settled((url) => squizzleApply(project, url))
        sq.push(r.seconds)
        rss = Math.max(rss, r.rssMb)
      }
    }
  }
  return {
    label,
    psql: median(ps),
    squizzle: median(sq),
    ratio: median(sq) / median(ps),
    rssMb: rss,
    psqlRuns: ps,
    squizzleRuns: sq,
  }
}

try {
  const smallDir = join(work, 'small-sql')
  const smallFiles = writeSmallFiles(smallDir, 500)
  const smallProject = buildProject('small', (dir) =>
    cpSync(smallDir, join(dir, 'db', 'migrations'), { recursive: true }),
  )

  const seedDir = join(work, 'seed-sql')
  mkdirSync(seedDir, { recursive: true })
  writeFileSync(join(seedDir, '0001_table.sql'), seedTable)
  const seed = await writeBigSeed(join(seedDir, '0002_seed.sql'), seedBytes)
  const seedProject = buildProject('seed', (dir) => {
    cpSync(join(seedDir, '0001_table.sql'), join(dir, 'db', 'migrations', '0001_table.sql'))
    mkdirSync(join(dir, 'db', 'seed'), { recursive: true })
    cpSync(seed.file, join(dir, 'db', 'seed', '0002_seed.sql'))
  })

  const results = [
    await compare('(a) 500 files: table + index + 10 rows each', smallFiles, smallProject),
    await compare(
      `(b) one ${Math.round(statSync(seed.file).size / 1e6)} MB seed file (${seed.rows} rows)`,
      [join(seedDir, '0001_table.sql'), seed.file],
      seedProject,
    ),
  ]
  const server = (await admin`SHOW server_version`)[0].server_version
  const client = spawnSync(psql, ['--version'], { encoding: 'utf8' }).stdout.trim()
  console.log(
    `\nPostgreSQL ${server} (embedded), ${client}; median of ${runs} runs; wall time includes process start\n`,
  )
  console.log(
    'case'.padEnd(52),
    'psql -1 -f'.padStart(11),
    'squizzle'.padStart(10),
    'ratio'.padStart(7),
    'peak RSS'.padStart(10),
  )
  for (const r of results) {
    console.log(
      r.label.padEnd(52),
      `${r.psql.toFixed(2)} s`.padStart(11),
      `${r.squizzle.toFixed(2)} s`.padStart(10),
      `${r.ratio.toFixed(2)}x`.padStart(7),
      `${r.rssMb.toFixed(0)} MB`.padStart(10),
    )
  }
  for (const r of results)
    console.log(
      `${r.label}: psql runs ${r.psqlRuns.map((x) => x.toFixed(2)).join(' ')}; squizzle runs ${r.squizzleRuns.map((x) => x.toFixed(2)).join(' ')}`,
    )
  console.log(`\nbundle of (b): largest file ${(statSync(seed.file).size / 1e6).toFixed(1)} MB`)
} finally {
  await admin.end()
  await pg.stop()
  rmSync(work, { recursive: true, force: true })
}
