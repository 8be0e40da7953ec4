// pnpm bench (second part): what recording a schema snapshot costs at build, on a real
// history (trigger.dev, 820 files): `squizzle build` without a snapshot, with the replay on
// a development server (--dev-url), and with the embedded server the CLI starts itself;
// then the size of the snapshot and how long `squizzle drift` takes on the applied database.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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

try {
  console.log('trigger.dev corpus: 820 files, one version')
  const plain = time('build --no-snapshot', ['--no-snapshot'])
  const dev = time('build, replay on --dev-url (same server)', ['--dev-url', pg.url])
  const embedded = time('build, replay on an embedded server', [])
  console.log(
    `replay cost: +${(dev.seconds - plain.seconds).toFixed(2)} s on a dev server, +${(embedded.seconds - plain.seconds).toFixed(2)} s with an embedded one`,
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
} finally {
  await pg.stop()
  rmSync(work, { recursive: true, force: true })
}
