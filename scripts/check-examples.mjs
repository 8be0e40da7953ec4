// Typechecks the ```ts examples of the docs against the built packages (dist types), so an
// example that names a function, option or property that no longer exists is caught.
//
//   node scripts/check-examples.mjs                        # JSDoc examples of @squizzle/core's root
//   node scripts/check-examples.mjs README.md packages/*/README.md   # ```ts blocks of markdown files
//   node scripts/check-examples.mjs --all …                # also report names a snippet never declares
//
// Run `pnpm build` first. Examples are fragments: by default a name the snippet uses without
// declaring it (`storage`, `driver`, …) is assumed to come from the reader's own code, so only
// the other errors (a missing export, a wrong property, a wrong argument) fail the check.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** "Cannot find name" (with and without a suggestion, and for test globals). */
const undeclaredNameCodes = new Set([2304, 2552, 2582, 2593])
/** Functions and classes examples call that stand for the reader's own code. */
const readerNames = new Set([
  'S3Target',
  'retryLater',
  'createMyStorage',
  'MyDriver',
  'tempBucket',
  'emptyDatabase',
  'MyTarget',
  'freshBucket',
])
/** Fragment artifacts: a shorthand property or a callback parameter the reader's code would type. */
const fragmentCodes = new Set([18004, 7006, 7031])
/** Where a name an example uses unimported comes from: the packages' root entries, then node's. */
const knownNames = new Map([
  ...['readFile', 'writeFile', 'mkdir'].map((n) => [n, 'node:fs/promises']),
  ...['createReadStream', 'createWriteStream', 'readFileSync'].map((n) => [n, 'node:fs']),
  ['pipeline', 'node:stream/promises'],
  ...['security', 'storage-oci', 'storage-filesystem', 'driver-postgres', 'core'].flatMap(rootNames),
])
/** The names of @squizzle/core's root entry, whose JSDoc examples are checked by default. */
const corePublic = new Set(rootNames('core').map(([name]) => name))

function rootNames(folder) {
  const list = readFileSync(join(root, 'packages', folder, 'public-api.txt'), 'utf8').split('\n')
  return list.flatMap((line) => (line.startsWith('. ') ? [[line.slice(2), `@squizzle/${folder}`]] : []))
}

const args = process.argv.slice(2)
const reportAll = args.includes('--all')
const files = args.filter((a) => a !== '--all')
const snippets = files.length > 0 ? files.flatMap(markdownSnippets) : coreJsdocSnippets().map(withImports)
const problems = typecheck(snippets)
for (const line of problems) console.log(line)
console.log(`${snippets.length} examples checked, ${problems.length} problems`)
process.exitCode = problems.length > 0 ? 1 : 0

/** Every ```ts block of a markdown file, with the line it starts on. */
function markdownSnippets(file) {
  return fencedBlocks(readFileSync(file, 'utf8').split('\n'), relative(root, resolve(file)))
}

/** The ```ts blocks of the JSDoc of every file @squizzle/core's root entry re-exports. */
function coreJsdocSnippets() {
  const seen = new Set()
  const queue = [join(root, 'packages/core/src/index.ts')]
  const out = []
  while (queue.length > 0) {
    const file = queue.pop()
    if (seen.has(file) || !existsSync(file)) continue
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    for (const [, spec] of text.matchAll(/export[^'"]*from '(\.[^']+)'/g)) {
      queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
    }
    const lines = text.split('\n')
    const stripped = lines.map((l) => l.replace(/^\s*\*( |$)/, ''))
    const blocks = fencedBlocks(stripped, relative(root, file))
    out.push(...blocks.filter((b) => documentsPublicName(lines, b.line)))
  }
  return out
}

/**
 * Whether the JSDoc around `line` documents a public name: a declaration core's root exports,
 * or a member (indented: of an exported class or interface). Internal helpers' examples are skipped.
 */
function documentsPublicName(lines, line) {
  let end = line
  while (end < lines.length && !lines[end].includes('*/')) end++
  const declaration = lines[end + 1] ?? ''
  if (/^\s/.test(declaration)) return true
  const name = /^export (?:declare )?(?:async )?(?:function\*? |class |const |interface |type )(\w+)/.exec(declaration)
  return name !== null && corePublic.has(name[1])
}

/** Imports the names a JSDoc example uses but neither imports nor declares itself. */
function withImports(snippet) {
  const byModule = new Map()
  for (const [name, from] of knownNames) {
    const declared = new RegExp(`(import\\s*\\{[^}]*\\b|(const|let|var|function|class) )${name}\\b`)
    if (!new RegExp(`\\b${name}\\b`).test(snippet.code) || declared.test(snippet.code)) continue
    if ([...byModule.values()].some((names) => names.includes(name))) continue
    byModule.set(from, [...(byModule.get(from) ?? []), name])
  }
  const imports = [...byModule].map(([from, names]) => `import { ${names.join(', ')} } from '${from}'`)
  return { ...snippet, prefix: imports.length, code: [...imports, snippet.code].join('\n') }
}

function fencedBlocks(lines, where) {
  const blocks = []
  let start = -1
  for (const [i, line] of lines.entries()) {
    const fence = line.trim()
    if (start < 0 && /^```(ts|typescript)\b/.test(fence)) start = i
    else if (start >= 0 && fence === '```') {
      blocks.push({ where: `${where}:${start + 1}`, line: start, code: lines.slice(start + 1, i).join('\n') })
      start = -1
    }
  }
  return blocks
}

/** Writes each snippet as a module of a scratch package linked to the workspace and runs tsc. */
function typecheck(list) {
  const dir = mkdtempSync(join(tmpdir(), 'squizzle-examples-'))
  try {
    linkWorkspace(dir)
    list.forEach((s, i) => writeFileSync(join(dir, `example-${i}.mts`), `${s.code}\nexport {}\n`))
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig(list.length)))
    return tscErrors(dir).flatMap(({ index, line, code, message }) => {
      const snippet = list[index]
      const text = snippet.code.split('\n')[line - 1] ?? ''
      if (!reportAll && fragmentCodes.has(code)) return []
      if (!reportAll && code === 2307 && !message.includes("'@squizzle/")) return [] // the reader's package
      if (!reportAll && undeclaredNameCodes.has(code) && !callsUndeclared(message, text)) return []
      return [`${snippet.where} (+${line - (snippet.prefix ?? 0)}): TS${code} ${message}`]
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A call of a function nobody declared is a name the example expects to exist: report it. */
function callsUndeclared(message, text) {
  const name = /name '(\w+)'/.exec(message)?.[1]
  return name !== undefined && !readerNames.has(name) && new RegExp(`\\b${name}\\(`).test(text)
}

function linkWorkspace(dir) {
  const scope = join(dir, 'node_modules/@squizzle')
  mkdirSync(scope, { recursive: true })
  mkdirSync(join(dir, 'node_modules/@types'))
  const packages = { core: 'core', 'driver-postgres': 'driver-postgres', 'storage-filesystem': 'storage-filesystem' }
  Object.assign(packages, { 'storage-oci': 'storage-oci', security: 'security', cli: 'cli' })
  for (const [name, folder] of Object.entries(packages)) symlinkSync(join(root, 'packages', folder), join(scope, name))
  symlinkSync(join(root, 'apps/console'), join(scope, 'console'))
  symlinkSync(join(root, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'))
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n')
}

function tsconfig(count) {
  return {
    compilerOptions: {
      target: 'es2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    },
    files: Array.from({ length: count }, (_, i) => `example-${i}.mts`),
  }
}

function tscErrors(dir) {
  const tsc = join(root, 'node_modules/typescript/bin/tsc')
  let output = ''
  try {
    execFileSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8' })
  } catch (error) {
    output = String(error.stdout)
  }
  const pattern = /^example-(\d+)\.mts\((\d+),\d+\): error TS(\d+): (.*)$/
  return output.split('\n').flatMap((line) => {
    const m = pattern.exec(line)
    return m ? [{ index: Number(m[1]), line: Number(m[2]), code: Number(m[3]), message: m[4] }] : []
  })
}
