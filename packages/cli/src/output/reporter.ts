import type { Writable } from 'node:stream'
import { isSquizzleError, redactSecrets, type SquizzleEvent } from '@squizzle/core'
import { terminalStyle, type Colors, type TerminalStyle } from './colors.js'
import { describeEvent } from './describe-event.js'
import { cliHint } from './remedy-command.js'
import { shownPath } from './shown-path.js'
import { guardedOutput, type GuardedOutput } from './guarded-output.js'
import { Progress } from './progress.js'
import { escapeJsonControls } from './terminal-text.js'

/** Where the CLI writes and what it knows about its terminal. */
export interface Io {
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
  cwd: string
  /** True when stdout is a terminal. */
  isTTY: boolean
  /** The terminal's width, when stdout is one. */
  columns?: number | undefined
  /**
   * Subscribes to Ctrl-C (SIGINT): the listener gets how many times it was pressed, and
   * the returned function unsubscribes. The process that provides it exits (130) on the
   * second press, after the listener ran. Without it, Ctrl-C does what Node does.
   */
  onInterrupt?: ((listener: (presses: number) => void) => () => void) | undefined
  /** Where answers to a confirmation come from; only asked when it is a terminal too. */
  stdin?: (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined
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
  private progress: Progress | undefined
  private liveShown = false

  constructor(
    private readonly io: Io,
    readonly options: ReporterOptions,
  ) {
    this.style = terminalStyle(options.color && !options.json)
    this.colors = this.style.colors
    this.stdout = guardedOutput(io.stdout)
    this.stderr = guardedOutput(io.stderr)
  }

  /** Receives core events: collected for --json, rendered as lines otherwise (and followed by the progress display). */
  readonly onEvent = (event: SquizzleEvent): void => {
    if (this.options.json) {
      this.events.push(event)
      return
    }
    if (!this.options.quiet) this.progressDisplay().onEvent(event)
    const line = describeEvent(event, this.colors, this.options.verbose, (path) => shownPath(this.io.cwd, path))
    if (line === null) return
    if (event.type === 'warning') this.warn(line)
    else if (!this.options.quiet) this.line(line)
  }

  /** A line of normal output (suppressed by --quiet and --json). */
  line(text: string): void {
    if (this.options.json || this.options.quiet) return
    this.clearLive()
    this.stdout.write(`${this.text(text)}\n`)
  }

  /** A result line that --quiet still prints (e.g. the digest of a build). */
  result(text: string): void {
    if (this.options.json) return
    this.clearLive()
    this.stdout.write(`${this.text(text)}\n`)
  }

  warn(text: string): void {
    if (this.options.json) return
    this.clearLive()
    this.stderr.write(this.text(`${this.colors.yellow('warning')} ${text}\n`))
  }

  /** Stops the progress display and clears its line (at the end of a command). */
  finish(): void {
    this.progress?.stop()
    this.clearLive()
  }

  /** A question (or what it is about) for the person at the terminal: stderr, so stdout stays the command's output. */
  prompt(text: string): void {
    this.clearLive()
    this.stderr.write(this.text(text))
  }

  /** Prints the command's JSON document (only with --json), with the events collected so far. */
  json(document: Record<string, unknown>, withEvents = false): void {
    if (!this.options.json) return
    const body = withEvents ? { ...document, events: this.events } : document
    this.stdout.write(`${this.jsonText(body)}\n`)
  }

  /** Prints an error: what happened, why, what to do next. */
  error(err: unknown, exitCode: number): void {
    this.finish()
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
    const cause =
      err instanceof Error && err.cause instanceof Error && err.cause.message !== message
        ? err.cause.message
        : undefined
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

  /**
   * The progress display: a live line on stdout when it is a terminal (redrawn in
   * place, cut to its width), else a plain line when nothing was said for 5 s.
   */
  private progressDisplay(): Progress {
    this.progress ??= new Progress({
      live: this.io.isTTY
        ? (text) => {
            if (text === '' && !this.liveShown) return
            const columns = Number(this.io.env['COLUMNS']) || this.io.columns || 80
            const width = Math.max(20, columns - 1)
            const shown = text.length > width ? `${text.slice(0, width - 1)}…` : text
            this.stdout.write(`\r\u001b[2K${this.text(shown)}`)
            this.liveShown = text !== ''
          }
        : null,
      line: (text) => this.line(this.colors.dim(text)),
    })
    return this.progress
  }

  /** Takes the live progress line away before other output, which it then follows. */
  private clearLive(): void {
    if (!this.liveShown) return
    this.stdout.write('\r\u001b[2K')
    this.liveShown = false
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
