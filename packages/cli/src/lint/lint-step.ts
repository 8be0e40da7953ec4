import { SquizzleError, type NewSourceFile } from '@squizzle/core'
import { type LintSettings } from '@squizzle/core/config'
import type { CommandContext } from '../context.js'
import { runSquawk, type LintFinding } from './run-squawk.js'

/** The lint step of one build: a `beforeStore` check and, afterwards, what it found. */
export interface LintStep {
  level: 'warn' | 'error'
  findings: LintFinding[]
  check(files: NewSourceFile[]): Promise<void>
}

/**
 * The lint step `build` runs, or null: `--lint[=warn|error]` turns it on (and
 * sets the level); a `lint` key in the config turns it on at its level (default
 * warn). Findings are printed per file and line; at level `error` any finding
 * fails the build before anything is stored (`LINT_FAILED`, exit 1).
 *
 * @example
 * ```ts
 * const lint = lintStepFor(ctx, args.values['lint'])
 * await buildVersion({ ...options, ...(lint ? { beforeStore: lint.check } : {}) })
 * ```
 */
export function lintStepFor(ctx: CommandContext, flag: unknown): LintStep | null {
  const settings: LintSettings | undefined = ctx.settings.lint
  if (flag === undefined && settings === undefined) return null
  if (flag !== undefined && flag !== 'warn' && flag !== 'error') {
    throw new SquizzleError('USAGE', `--lint takes warn or error, not "${String(flag)}"`, {
      hint: 'Use --lint (report), --lint=warn (same) or --lint=error (findings fail the build).',
    })
  }
  const step: LintStep = {
    level: (flag as 'warn' | 'error' | undefined) ?? settings?.level ?? 'warn',
    findings: [],
    async check(files) {
      step.findings = await runSquawk(ctx.root, files, settings ?? {}, ctx.io.env)
      const r = ctx.reporter
      for (const f of step.findings)
        r.warn(`${f.path}:${f.line}:${f.column} ${f.rule}: ${f.message}${f.help ? ` (${f.help})` : ''}`)
      if (step.findings.length > 0 && step.level === 'error') {
        const files = new Set(step.findings.map((f) => f.path)).size
        throw new SquizzleError(
          'LINT_FAILED',
          `squawk found ${step.findings.length} problem(s) in ${files} new file(s); nothing was built`,
          {
            hint: 'Fix the findings, exclude rules you accept in the config (lint.exclude), or build with --lint=warn to only report them.',
            details: { findings: step.findings },
          },
        )
      }
    },
  }
  return step
}
