// pnpm bench:oci: push and pull of one ~200 MB bundle to a local docker-registry with
// `squizzle push` / `squizzle pull` (storage-oci), side by side with `skopeo copy` of the
// same OCI layout (oci: -> docker:// and back). Each measurement gets a brand-new registry
// (fresh storage, new port), so neither tool can skip or cross-mount a blob it saw before.
// Prints wall times (median of runs) and squizzle's peak RSS.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { writeIncompressibleSql } from './oci-generate.mjs'

const runs = Number(process.env.BENCH_RUNS ?? 3)
const bundleMb = Number(process.env.BENCH_OCI_MB ?? 200)
const bin = join(dirname(createRequire(import.meta.url).resolve('@squizzle/cli/package.json')), 'dist', 'bin.js')
for (const tool of ['docker-registry', 'skopeo']) {
  if (spawnSync(tool, ['--version']).status !== 0) {
    console.error(`${tool} not found; apt-get install ${tool}`)
    process.exit(1)
  }
}

const work = mkdtempSync(join(tmpdir(), 'squizzle-bench-oci-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))

function timed(cmd, args, options = {}) {
  const started = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 4).join(' ')} failed (${r.status}): ${r.stderr}`)
  return { seconds, stderr: r.stderr }
}

/** Runs the squizzle CLI in a child that reports its own peak RSS. */
function squizzle(args, cwd) {
  const probe = `process.on('exit', () => process.stderr.write('\\nmaxrss_kb=' + process.resourceUsage().maxRSS + '\\n')); process.argv.splice(1, 0, ${JSON.stringify(bin)}); await import(${JSON.stringify(bin)})`
  const r = timed(process.execPath, ['--input-type=module', '-e', probe, '--', ...args, '--quiet'], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
  })
  return { seconds: r.seconds, rssMb: Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024 }
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** A fresh, open docker-registry on loopback. */
async function startRegistry() {
  const dir = mkdtempSync(join(work, 'registry-'))
  const port = await freePort()
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  )
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' })
  for (let i = 0; i < 300; i++) {
    if (
      (await fetch(`http://127.0.0.1:${port}/v2/`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      break
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    host: `127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

// The artifact: a real `squizzle build` of one incompressible migration into an OCI layout.
const project = join(work, 'project')
mkdirSync(join(project, 'db', 'migrations'), { recursive: true })
writeFileSync(join(project, 'squizzle.config.yaml'), 'storage: file:.squizzle/artifacts\n')
process.stdout.write(`generating and building a ~${bundleMb} MB bundle... `)
await writeIncompressibleSql(join(project, 'db', 'migrations', '001_blob.sql'), bundleMb * 1024 * 1024)
// Irreversible and without a schema snapshot: this bench measures moving bytes, not building.
timed(process.execPath, [bin, 'build', '1.0.0', '--irreversible', '--no-snapshot', '--quiet'], { cwd: project })
rmSync(join(project, 'db'), { recursive: true })
const layout = join(project, '.squizzle', 'artifacts')
const bundleBytes = Math.max(
  ...spawnSync('find', [join(layout, 'blobs'), '-type', 'f'], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .map((f) => statSync(f).size),
)
console.log(`bundle layer ${(bundleBytes / 1024 / 1024).toFixed(1)} MB`)

const results = { squizzlePush: [], squizzlePull: [], skopeoPush: [], skopeoPull: [], pushRss: [], pullRss: [] }
for (let run = 1; run <= runs; run++) {
  const order = run % 2 === 1 ? ['squizzle', 'skopeo'] : ['skopeo', 'squizzle']
  for (const tool of order) {
    const registry = await startRegistry()
    const target = join(work, `pulled-${tool}-${run}`)
    try {
      if (tool === 'squizzle') {
        const url = `oci://${registry.host}/bench/squizzle?plain-http=true`
        const push = squizzle(['push', '1.0.0', '--storage', url], project)
        mkdirSync(target)
        writeFileSync(join(target, 'squizzle.config.yaml'), 'storage: file:.squizzle/artifacts\n')
        const pull = squizzle(['pull', '1.0.0', '--storage', url], target)
        results.squizzlePush.push(push.seconds)
        results.squizzlePull.push(pull.seconds)
        results.pushRss.push(push.rssMb)
        results.pullRss.push(pull.rssMb)
      } else {
        const ref = `docker://${registry.host}/bench/skopeo:1.0.0`
        results.skopeoPush.push(
          timed('skopeo', [
            '--insecure-policy',
            'copy',
            '--quiet',
            '--dest-tls-verify=false',
            `oci:${layout}:1.0.0`,
            ref,
          ]).seconds,
        )
        results.skopeoPull.push(
          timed('skopeo', [
            '--insecure-policy',
            'copy',
            '--quiet',
            '--src-tls-verify=false',
            ref,
            `oci:${target}:1.0.0`,
          ]).seconds,
        )
      }
    } finally {
      await registry.stop()
      rmSync(target, { recursive: true, force: true })
    }
  }
  console.log(`run ${run}/${runs} done`)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const row = (name, s, k) =>
  `${name.padEnd(10)} ${s.toFixed(2).padStart(8)} s ${k.toFixed(2).padStart(8)} s ${(s / k).toFixed(2).padStart(7)}x`
console.log(`\n${(bundleBytes / 1024 / 1024).toFixed(0)} MB bundle, median of ${runs} runs, fresh registry each time`)
console.log(`${''.padEnd(10)} ${'squizzle'.padStart(10)} ${'skopeo'.padStart(10)} ${'ratio'.padStart(8)}`)
console.log(row('push', median(results.squizzlePush), median(results.skopeoPush)))
console.log(row('pull', median(results.squizzlePull), median(results.skopeoPull)))
console.log(
  `squizzle peak RSS: push ${Math.max(...results.pushRss).toFixed(0)} MB, pull ${Math.max(...results.pullRss).toFixed(0)} MB (goal: under 100 MB)`,
)
