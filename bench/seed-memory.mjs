// pnpm bench, memory of big seeds: peak RSS (and wall) of `squizzle build` and `squizzle apply`
// of one version holding a table and one seed file of BENCH_SEED_SIZES MB (default 52,200),
// each a fresh CLI process under /usr/bin/time on one private PostgreSQL. The goals of
// issue #14: apply <= 100 MB and build <= 200 MB peak RSS, whatever the file size.
// SQUIZZLE_BIN_BEFORE=/path/to/older/dist/bin.js adds the same rows for that build.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { seedTable, writeBigSeed } from './generate.mjs'
import { measure } from './lib/measure.mjs'
import { bin, fmt, startServer, workFolder } from './lib/setup.mjs'

const sizes = (process.env.BENCH_SEED_SIZES ?? '52,200').split(',').map(Number)
const bins = { after: bin, ...(process.env.SQUIZZLE_BIN_BEFORE ? { before: process.env.SQUIZZLE_BIN_BEFORE } : {}) }
const run = (b, cwd, args, env = {}) => measure(process.execPath, [b, ...args], { cwd, env: { NO_COLOR: '1', ...env } })

const server = await startServer()
const work = workFolder('seed-memory')
try {
  const rows = []
  for (const mb of sizes) {
    for (const [label, b] of Object.entries(bins)) {
      const dir = join(work, `${label}-${mb}`)
      mkdirSync(join(dir, 'db', 'migrations'), { recursive: true })
      mkdirSync(join(dir, 'db', 'seed'), { recursive: true })
      writeFileSync(join(dir, 'squizzle.config.yaml'), 'storage: file:.squizzle/artifacts\n')
      writeFileSync(join(dir, 'db', 'migrations', '001_table.sql'), seedTable)
      await writeBigSeed(join(dir, 'db', 'seed', '001_rows.sql'), mb * 1024 * 1024)
      const build = run(b, dir, ['build', '1.0.0', '--irreversible', '--quiet', '--no-snapshot'])
      const apply = run(b, dir, ['apply', '--quiet'], { DATABASE_URL: await server.freshDatabase() })
      rows.push({ label, mb, build, apply })
    }
  }
  console.log('\nBig seeds: one fresh process each (goal: apply <= 100 MB, build <= 200 MB peak RSS)\n')
  console.log(
    `${'build'.padEnd(8)} ${'seed'.padStart(7)} ${'build wall'.padStart(11)} ${'build RSS'.padStart(10)}` +
      ` ${'apply wall'.padStart(11)} ${'apply RSS'.padStart(10)}`,
  )
  for (const { label, mb, build, apply } of rows) {
    const seed = `${mb} MB`
    console.log(
      `${label.padEnd(8)} ${seed.padStart(7)} ${fmt.s(build.wall).padStart(11)} ${fmt.mb(build.rssMb).padStart(10)}` +
        ` ${fmt.s(apply.wall).padStart(11)} ${fmt.mb(apply.rssMb).padStart(10)}`,
    )
  }
} finally {
  await server.stop()
}
