// pnpm bench (second part): what recording a schema snapshot costs at build, on a real
// history (trigger.dev, 820 files): `squizzle build` without a snapshot, with the replay on
// a development server (--dev-url), and with the embedded server the CLI starts itself;
// then the size of the snapshot and how long `squizzle drift` takes on the applied database;
// then the same history cut into BENCH_REPLAY_VERSIONS versions (default 20): one more build
// replaying every version (--no-replay-cache) against one that reuses the previous version's
// kept state (on --dev-url, and on the embedded server's cluster kept in .squizzle/replay).
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmbeddedPostgres } from '@squizzle/driver-postgres/embedded'
import postgres from 'postgres'

const runs = Number(process.env.BENCH_RUNS ?? 3)
const bin = join(dirname(createRequire(import.meta.url).resolve('@squizzle/cli/package.json')), 'dist', 'bin.js')
const corpus = fileURLToPath(new URL('../packages/corpus-tests/', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'squizzle-bench-snapshot-'))
// As root the embedded server runs as user postgres, which must reach the cluster kept in a project.
chmodSync(work, 0o755)
const pg = await startEmbeddedPostgres()

function squizzle(cwd, args, env = {}) {
  const started = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (r.status !== 0) throw new Error(`squizzle ${args.join(' ')} failed (${r.status}): ${r.stderr}`)
  return { seconds, stdout: r.stdout }
}

let projects = 0
function project() {
  const dir = join(work, `p${++projects}`)
  cpSync(join(corpus, 'fixtures', 'trigger-dev', 'migrations'), join(dir, 'migrations'), { recursive: true })
  const config = JSON.parse(readFileSync(join(corpus, 'configs', 'trigger-dev.squizzle.config.json'), 'utf8'))
  delete config.$schema
  writeFileSync(join(dir, 'squizzle.config.json'), JSON.stringify(config))
  return dir
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const time = (label, args, env) => {
  const seconds = []
  let last
  for (let i = 0; i < runs; i++) {
    last = project()
    seconds.push(
      squizzle(last, ['build', '1.0.0', '--quiet', '--irreversible', ...args], { SQUIZZLE_DEV_URL: '', ...env })
        .seconds,
    )
  }
  console.log(`${label.padEnd(44)} ${median(seconds).toFixed(2)} s (median of ${runs})`)
  return { dir: last, seconds: median(seconds) }
}

/** The corpus config, its files outside a transaction cut to those the project has so far. */
function writeConfig(dir, names) {
  const config = JSON.parse(readFileSync(join(corpus, 'configs', 'trigger-dev.squizzle.config.json'), 'utf8'))
  delete config.$schema
  const present = new Set(names.map((n) => `migrations/${n}`))
  if (config.noTransaction) config.noTransaction = config.noTransaction.filter((p) => present.has(p))
  writeFileSync(join(dir, 'squizzle.config.json'), JSON.stringify(config))
}

function addSlice(dir, source, names) {
  for (const name of names) cpSync(join(source, name), join(dir, 'migrations', name))
}

/** Times build N of an N-version history: every version replayed, against only the new one. */
function incrementalReplay(devUrl) {
  const count = Number(process.env.BENCH_REPLAY_VERSIONS ?? 20)
  const files = readdirSync(join(corpus, 'fixtures', 'trigger-dev', 'migrations'))
    .filter((n) => n.endsWith('.sql'))
    .sort()
  const per = Math.ceil(files.length / count)
  const slices = Array.from({ length: count }, (_, v) => files.slice(v * per, (v + 1) * per))
  console.log(`\ntrigger.dev corpus cut into ${count} versions: build ${count}.0.0 after ${count - 1} built ones`)
  const servers = [
    ['--dev-url', { SQUIZZLE_DEV_URL: devUrl }],
    ['embedded', { SQUIZZLE_DEV_URL: '' }],
  ]
  // BENCH_REPLAY_SERVERS=embedded (or --dev-url) times one of the two.
  const only = process.env.BENCH_REPLAY_SERVERS
  for (const [label, env] of servers.filter(([l]) => only === undefined || only === l)) {
    const base = join(work, `base-${label.replace(/\W/g, '')}`)
    mkdirSync(join(base, 'migrations'), { recursive: true })
    const source = join(corpus, 'fixtures', 'trigger-dev', 'migrations')
    const setup = process.hrtime.bigint()
    for (let v = 0; v < count - 1; v++) {
      addSlice(base, source, slices[v])
      writeConfig(base, slices.slice(0, v + 1).flat())
      squizzle(base, ['build', `${v + 1}.0.0`, '--quiet', '--irreversible'], env)
    }
    console.log(
      `  (${label}: ${count - 1} builds to set up, ${(Number(process.hrtime.bigint() - setup) / 1e9).toFixed(1)} s)`,
    )
    const once = (flags) => {
      const dir = join(work, `run${++projects}`)
      // cp -a keeps the kept cluster's owner and modes, which its server checks.
      spawnSync('cp', ['-a', base, dir])
      addSlice(dir, source, slices[count - 1])
      writeConfig(dir, files)
      const r = squizzle(dir, ['build', `${count}.0.0`, '--json', '--irreversible', ...flags], env)
      rmSync(dir, { recursive: true, force: true })
      const reused = JSON.parse(r.stdout).events.some((e) => e.type === 'replay.cache' && e.outcome === 'reused')
      return { seconds: r.seconds, reused }
    }
    const full = []
    const incremental = []
    for (let i = 0; i < runs; i++) {
      full.push(once(['--no-replay-cache']).seconds)
      const run = once([])
      if (!run.reused) throw new Error(`the build on ${label} did not reuse the kept state`)
      incremental.push(run.seconds)
    }
    const [f, n] = [median(full), median(incremental)]
    console.log(
      `  ${label.padEnd(10)} full replay ${f.toFixed(2)} s, incremental ${n.toFixed(2)} s ` +
        `(${(f / n).toFixed(1)}x, median of ${runs})`,
    )
  }
}

try {
  // BENCH_REPLAY_INCREMENTAL_ONLY=1 runs only the incremental section.
  if (process.env.BENCH_REPLAY_INCREMENTAL_ONLY === '1') incrementalReplay(pg.url)
  else await snapshotCost()
} finally {
  await pg.stop()
  rmSync(work, { recursive: true, force: true })
}

async function snapshotCost() {
  console.log('trigger.dev corpus: 820 files, one version')
  const plain = time('build --no-snapshot', ['--no-snapshot'])
  const dev = time('build, replay on --dev-url (same server)', ['--dev-url', pg.url])
  const embedded = time('build, replay on an embedded server', [])
  console.log(
    `replay cost: +${(dev.seconds - plain.seconds).toFixed(2)} s on a dev server, ` +
      `+${(embedded.seconds - plain.seconds).toFixed(2)} s with an embedded one`,
  )
  const built = JSON.parse(
    squizzle(project(), ['build', '1.0.0', '--json', '--irreversible', '--dev-url', pg.url]).stdout,
  )
  console.log(`snapshot: ${built.snapshot.size} bytes in the bundle`)
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} })
  await admin.unsafe('CREATE DATABASE bench_drift')
  await admin.end()
  const url = new URL(pg.url)
  url.pathname = '/bench_drift'
  squizzle(dev.dir, ['apply', '--quiet'], { DATABASE_URL: url.toString() })
  const drift = squizzle(dev.dir, ['drift', '--check'], { DATABASE_URL: url.toString() })
  console.log(`squizzle drift --check on the applied database: ${drift.seconds.toFixed(2)} s`)
  incrementalReplay(pg.url)
}
