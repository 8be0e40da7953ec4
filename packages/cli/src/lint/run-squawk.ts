import { execFile } from 'node:child_process'
import { relative } from 'node:path'
import { promisify } from 'node:util'
import { SquizzleError, type NewSourceFile } from '@squizzle/core'
import { type LintSettings } from '@squizzle/core/config'
import { findSquawk } from './squawk-binary.js'

const run = promisify(execFile)

/** One squawk finding, located by bundle path and 1-based line. */
export interface LintFinding {
  path: string
  line: number
  column: number
  level: string
  rule: string
  message: string
  help: string | null
}

interface SquawkViolation {
  file: string
  line: number
  column: number
  level: string
  message: string
  help: string | null
  rule_name: string
}

/**
 * Runs squawk on the given files and returns its findings. Transactional
 * files are linted with `--assume-in-transaction` (Squizzle wraps them in one),
 * no-transaction files without it. No shell: arguments are passed as an array;
 * squawk runs with `env` (the CLI's environment).
 *
 * @example
 * ```ts
 * const findings = await runSquawk('/srv/app', files, { exclude: ['prefer-bigint-over-int'] })
 * ```
 */
export async function runSquawk(
  projectRoot: string,
  files: readonly NewSourceFile[],
  settings: LintSettings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LintFinding[]> {
  const script = await findSquawk(projectRoot)
  const sql = files.filter((f) => f.entry.kind !== 'rollback')
  const findings: LintFinding[] = []
  for (const inTransaction of [true, false]) {
    const group = sql.filter((f) => f.entry.transaction === inTransaction)
    if (group.length === 0) continue
    const byDisk = new Map(group.map((f) => [relative(projectRoot, f.file), f.entry.path]))
    const args = [script, '--reporter', 'json', '--no-error-on-unmatched-pattern']
    if (inTransaction) args.push('--assume-in-transaction')
    if (settings.exclude?.length) args.push(`--exclude=${settings.exclude.join(',')}`)
    if (settings.include?.length) args.push(`--include=${settings.include.join(',')}`)
    if (settings.pgVersion) args.push(`--pg-version=${settings.pgVersion}`)
    args.push(...byDisk.keys())
    for (const v of await squawkViolations(args, projectRoot, env)) {
      findings.push({
        path: byDisk.get(v.file) ?? v.file,
        line: v.line + 1,
        column: v.column + 1,
        level: v.level.toLowerCase(),
        rule: v.rule_name,
        message: v.message,
        help: v.help,
      })
    }
  }
  return findings.sort((a, b) => (a.path === b.path ? a.line - b.line : a.path < b.path ? -1 : 1))
}

async function squawkViolations(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<SquawkViolation[]> {
  let stdout: string
  try {
    stdout = (await run(process.execPath, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 })).stdout
  } catch (err) {
    // squawk exits 1 when it found something; its JSON is still on stdout.
    const e = err as { code?: unknown; stdout?: string; stderr?: string }
    if (e.code !== 1 || !e.stdout?.trim().startsWith('[')) {
      throw new SquizzleError(
        'LINT_UNAVAILABLE',
        `squawk failed: ${(e.stderr ?? String(err)).trim().split('\n').slice(-3).join(' ')}`,
        {
          hint: 'Check the squawk options in the lint config (rule names, pgVersion), or run squawk on the files by hand.',
          cause: err,
        },
      )
    }
    stdout = e.stdout
  }
  const trimmed = stdout.trim()
  return trimmed === '' ? [] : (JSON.parse(trimmed) as SquawkViolation[])
}
