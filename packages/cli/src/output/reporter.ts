import type { Writable } from 'node:stream'
import { isSquizzleError, redactSecrets, type SquizzleEvent } from '@squizzle/core'
import { colorsFor, type Colors } from './colors.js'
import { describeEvent } from './describe-event.js'
import { shownPath } from './shown-path.js'

/** Where the CLI writes and what it knows about its terminal. */
export interface Io {
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
  cwd: string
  isTTY: boolean
}

export interface ReporterOptions {
  json: boolean
  quiet: boolean
  verbose: boolean
  color: boolean
  /** Values that must never be printed (passwords, tokens). */
  secrets: () => string[]
}

/**
 * Everything the CLI prints goes through here: human lines (stdout), warnings
 * and errors (stderr), or, with --json, exactly one JSON document on stdout.
 * Every string is scrubbed of known secrets first.
 *
 * @example
 * ```ts
 * const reporter = new Reporter(io, { json: false, quiet: false, verbose: false, color: true, secrets: () => [password] })
 * reporter.line('built 1.2.0')
 * ```
 */
export class Reporter {
  readonly colors: Colors
  private readonly events: SquizzleEvent[] = []

  constructor(private readonly io: Io, readonly options: ReporterOptions) {
    this.colors = colorsFor(options.color && !options.json)
  }

  /** Receives core events: collected for --json, rendered as lines otherwise. */
  readonly onEvent = (event: SquizzleEvent): void => {
    if (this.options.json) {
      this.events.push(event)
      return
    }
    const line = describeEvent(event, this.colors, this.options.verbose, (path) => shownPath(this.io.cwd, path))
    if (line === null) return
    if (event.type === 'warning') this.warn(line)
    else if (!this.options.quiet) this.line(line)
  }

  /** A line of normal output (suppressed by --quiet and --json). */
  line(text: string): void {
    if (this.options.json || this.options.quiet) return
    this.io.stdout.write(`${this.scrub(text)}\n`)
  }

  /** A result line that --quiet still prints (e.g. the digest of a build). */
  result(text: string): void {
    if (this.options.json) return
    this.io.stdout.write(`${this.scrub(text)}\n`)
  }

  warn(text: string): void {
    if (this.options.json) return
    this.io.stderr.write(`${this.colors.yellow('warning')} ${this.scrub(text)}\n`)
  }

  /** Prints the command's JSON document (only with --json), with the events collected so far. */
  json(document: Record<string, unknown>, withEvents = false): void {
    if (!this.options.json) return
    const body = withEvents ? { ...document, events: this.events } : document
    this.io.stdout.write(`${this.scrub(JSON.stringify(body, null, 2))}\n`)
  }

  /** Prints an error: what happened, why, what to do next. */
  error(err: unknown, exitCode: number): void {
    if (this.options.json) {
      const error = isSquizzleError(err) ? err.toJSON() : { code: 'UNEXPECTED', message: err instanceof Error ? err.message : String(err) }
      this.io.stdout.write(`${this.scrub(JSON.stringify({ error, exitCode, events: this.events }, null, 2))}\n`)
      return
    }
    const c = this.colors
    const message = err instanceof Error ? err.message : String(err)
    const code = isSquizzleError(err) ? ` ${c.dim(`[${err.code}]`)}` : ''
    this.io.stderr.write(`${c.red('error')} ${this.scrub(message)}${code}\n`)
    const cause = err instanceof Error && err.cause instanceof Error && err.cause.message !== message ? err.cause.message : undefined
    if (cause && (this.options.verbose || !isSquizzleError(err))) this.io.stderr.write(`  ${c.dim('cause:')} ${this.scrub(cause)}\n`)
    if (isSquizzleError(err) && err.hint) this.io.stderr.write(`  ${c.cyan('hint:')} ${this.scrub(err.hint)}\n`)
    if (!isSquizzleError(err) && this.options.verbose && err instanceof Error && err.stack) this.io.stderr.write(`${this.scrub(err.stack)}\n`)
  }

  private scrub(text: string): string {
    return redactSecrets(text, this.options.secrets())
  }
}
