import type { Writable } from 'node:stream'
import { isSquizzleError, redactSecrets, type SquizzleEvent } from '@squizzle/core'
import { terminalStyle, type Colors, type TerminalStyle } from './colors.js'
import { describeEvent } from './describe-event.js'
import { cliHint } from './remedy-command.js'
import { shownPath } from './shown-path.js'
import { guardedOutput, type GuardedOutput } from './guarded-output.js'
import { escapeJsonControls } from './terminal-text.js'

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
 * Every string is scrubbed of known secrets first, then every control character
 * it carries (ESC, C1, bidi overrides: SQL, object names and registry bytes come
 * from elsewhere) is written as a visible escape; only our own colours reach the
 * terminal as escape sequences. A reader that goes away (EPIPE) stops the output,
 * never the command.
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
  private readonly style: TerminalStyle
  private readonly stdout: GuardedOutput
  private readonly stderr: GuardedOutput

  constructor(private readonly io: Io, readonly options: ReporterOptions) {
    this.style = terminalStyle(options.color && !options.json)
    this.colors = this.style.colors
    this.stdout = guardedOutput(io.stdout)
    this.stderr = guardedOutput(io.stderr)
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
    this.stdout.write(`${this.text(text)}\n`)
  }

  /** A result line that --quiet still prints (e.g. the digest of a build). */
  result(text: string): void {
    if (this.options.json) return
    this.stdout.write(`${this.text(text)}\n`)
  }

  warn(text: string): void {
    if (this.options.json) return
    this.stderr.write(this.text(`${this.colors.yellow('warning')} ${text}\n`))
  }

  /** Prints the command's JSON document (only with --json), with the events collected so far. */
  json(document: Record<string, unknown>, withEvents = false): void {
    if (!this.options.json) return
    const body = withEvents ? { ...document, events: this.events } : document
    this.stdout.write(`${this.jsonText(body)}\n`)
  }

  /** Prints an error: what happened, why, what to do next. */
  error(err: unknown, exitCode: number): void {
    if (this.options.json) {
      const error = isSquizzleError(err)
        ? { ...err.toJSON(), hint: cliHint(err) }
        : { code: 'UNEXPECTED', message: err instanceof Error ? err.message : String(err) }
      this.stdout.write(`${this.jsonText({ error, exitCode, events: this.events })}\n`)
      return
    }
    const c = this.colors
    const message = err instanceof Error ? err.message : String(err)
    const code = isSquizzleError(err) ? ` ${c.dim(`[${err.code}]`)}` : ''
    this.stderr.write(this.text(`${c.red('error')} ${message}${code}\n`))
    const cause = err instanceof Error && err.cause instanceof Error && err.cause.message !== message ? err.cause.message : undefined
    const showCause = cause && (this.options.verbose || !isSquizzleError(err))
    if (showCause) this.stderr.write(this.text(`  ${c.dim('cause:')} ${cause}\n`))
    const hint = isSquizzleError(err) ? cliHint(err) : undefined
    if (hint) this.stderr.write(this.text(`  ${c.cyan('hint:')} ${hint}\n`))
    const stack = !isSquizzleError(err) && this.options.verbose && err instanceof Error ? err.stack : undefined
    if (stack) this.stderr.write(`${this.text(stack)}\n`)
  }

  /** A write to stdout or stderr failed for another reason than a closed pipe (e.g. a full disk). */
  get outputFailure(): Error | undefined {
    return this.stdout.failure ?? this.stderr.failure
  }

  /** Human text as it may reach a terminal: secrets out, control characters escaped, our colours kept. */
  private text(text: string): string {
    return this.style.render(redactSecrets(text, this.options.secrets()))
  }

  /** A JSON document, secrets out (also in their JSON-escaped form), terminal controls as \u escapes. */
  private jsonText(body: unknown): string {
    const secrets = this.options.secrets().flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])
    return escapeJsonControls(redactSecrets(JSON.stringify(body, null, 2), secrets))
  }
}
