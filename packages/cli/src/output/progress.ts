import type { SquizzleEvent } from '@squizzle/core'
import { formatBytes as bytes, formatDuration } from './units.js'

/** What is running now, as the events told it. */
interface Activity {
  /** `apply 1.2.0 (2 of 3)`, `replay up to 1.2.0 (1 of 4)`. */
  step: string
  file: string | null
  fileStarted: number
  progress: { done: number; statements: number; bytesDone: number; bytes: number } | null
}

/** Where the progress goes: a live line on a terminal, or a plain line now and then. */
export interface ProgressSink {
  /** Replaces the live line (a terminal), or null when there is none. */
  live: ((text: string) => void) | null
  /** Writes a plain line (not a terminal). */
  line: (text: string) => void
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * Follows the events of long work (versions, files, statements, bytes, replays) and
 * says what is running: on a terminal as one live line redrawn every `tickMs`
 * (elapsed time keeps moving while a statement runs), otherwise as a plain line
 * when nothing was said for `quietMs` (a CI log is never silent for long).
 *
 * @example
 * ```ts
 * const progress = new Progress({ live: (t) => redraw(t), line: (t) => print(t) })
 * progress.onEvent(event); progress.stop()
 * ```
 */
export class Progress {
  private activity: Activity | null = null
  private versions = { done: 0, total: 0 }
  private frame = 0
  private lastSaid = Date.now()
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly sink: ProgressSink,
    private readonly options = { tickMs: 100, quietMs: 5000 },
  ) {
    this.timer = setInterval(() => this.tick(), sink.live ? options.tickMs : Math.min(1000, options.quietMs))
    this.timer.unref()
  }

  /** Takes in an event; call it for every event, before the event's own line is printed. */
  onEvent(e: SquizzleEvent): void {
    const a = this.activity
    if (e.type === 'plan') this.versions = { done: 0, total: e.pending.length }
    else if (e.type === 'version.start') this.start(`applying ${e.version}${this.count(1)}`)
    else if (e.type === 'rollback.start') this.start(`rolling back ${e.version}`)
    else if (e.type === 'replay.prepare') this.start(`starting a scratch database for the replay up to ${e.target}`)
    else if (e.type === 'replay.start') this.start(`replaying up to ${e.target} (0 of ${e.versions})`)
    else if (e.type === 'replay.step') this.start(`replaying up to ${e.target} (${e.done} of ${e.versions} done)`)
    else if (e.type === 'file.start' && a) Object.assign(a, { file: e.path, fileStarted: Date.now(), progress: null })
    else if (e.type === 'file.progress' && a) a.progress = { ...e }
    else if (e.type === 'version.done') this.end(true)
    else if (e.type === 'rollback.done' || e.type === 'version.failed') this.end(false)
    else if (e.type === 'replay.done') this.end(false)
    this.lastSaid = Date.now()
  }

  /** Clears the live line and stops the timer. */
  stop(): void {
    clearInterval(this.timer)
    this.activity = null
    this.sink.live?.('')
  }

  /** The activity as one line: step, file, statements and bytes, elapsed time. */
  describe(now = Date.now()): string | null {
    const a = this.activity
    if (!a) return null
    const parts = [a.step]
    if (a.file) parts.push(a.file)
    const p = a.progress
    if (p) parts.push(`statement ${p.done} of ${p.statements}`, `${bytes(p.bytesDone)} of ${bytes(p.bytes)}`)
    parts.push(formatDuration(now - a.fileStarted))
    return parts.join(', ')
  }

  private start(step: string): void {
    this.activity = { step, file: null, fileStarted: Date.now(), progress: null }
  }

  private end(versionDone: boolean): void {
    if (versionDone) this.versions.done++
    this.activity = null
    this.sink.live?.('')
  }

  private count(offset: number): string {
    const { done, total } = this.versions
    return total > 1 ? ` (${done + offset} of ${total})` : ''
  }

  private tick(): void {
    const text = this.describe()
    if (text === null) return
    if (this.sink.live) {
      this.frame = (this.frame + 1) % frames.length
      this.sink.live(`${frames[this.frame]} ${text}`)
    } else if (Date.now() - this.lastSaid >= this.options.quietMs) {
      this.sink.line(`  … still ${text}`)
      this.lastSaid = Date.now()
    }
  }
}
