import { expect, onTestFailed } from 'vitest'
import type { CliResult } from './cli-process.js'

// When a test fails, the CLI runs it made are printed with their output: an assertion on an
// exit code alone (`expect(r.code).toBe(0)`) says nothing of why, least of all with --json,
// where the error is on stdout.
const shown = 5
const shownChars = 4000
let currentTest: string | undefined
let runs: string[] = []

/**
 * Remembers one CLI run of the current test, to print if the test fails.
 *
 * @example
 * ```ts
 * recordRun(['apply', '--json'], result, 'in-process')
 * ```
 */
export function recordRun(args: string[], result: CliResult, mode: 'in-process' | 'process'): void {
  const state = expect.getState()
  if (state.currentTestName === undefined) return
  const test = `${state.testPath ?? ''} ${state.currentTestName}`
  if (test !== currentTest) {
    currentTest = test
    const mine: string[] = []
    runs = mine
    onTestFailed(() => {
      const last = mine.slice(-shown)
      const heading = `CLI runs of the failed test (last ${last.length} of ${mine.length}):`
      process.stderr.write(`\n${heading}\n${last.join('\n')}\n`)
    })
  }
  const ending = result.signal ? `signal ${result.signal}` : `exit ${result.code}`
  const cut = (text: string) => (text.length > shownChars ? `${text.slice(0, shownChars)}… (${text.length})` : text)
  const output = `--- stdout\n${cut(result.stdout)}\n--- stderr\n${cut(result.stderr)}`
  runs.push(`$ squizzle ${args.join(' ')}   [${mode}, ${ending}]\n${output}`)
}
