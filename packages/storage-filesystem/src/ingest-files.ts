import { createHash, randomUUID } from 'node:crypto'
import { lstat, readdir, rm } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'

/**
 * A file in `ingest/` untouched for this long is abandoned whoever wrote it: a live
 * writer streams into it (each write moves its mtime) and gives up long before,
 * on its own idle timeout. This is the only rule for files of other hosts and tools.
 */
export const staleIngestMs = 60 * 60 * 1000

/** This machine, short and path-safe, so only its own processes are judged by process id. */
const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 12)
const ownerPattern = /^(\d+)@([0-9a-f]{12})-/

/**
 * A fresh temporary file name that says who writes it (`<pid>@<host>-<uuid><suffix>`),
 * so a sweep can tell a file of a killed process from one still being written.
 * `pid` is the writing process, this one unless a test says otherwise.
 *
 * @example
 * ```ts
 * ingestName('.json') // '4242@1f0e9c2ab3d4-6c0f…json'
 * ```
 */
export function ingestName(suffix = '', pid = process.pid): string {
  return `${pid}@${host}-${randomUUID()}${suffix}`
}

/**
 * Removes what writers left in `ingest/` when they died (a killed `pull`): files
 * named by a process of this machine that no longer runs, and any file untouched
 * for {@link staleIngestMs}. A file of a live process is never touched, so a
 * concurrent writer in another process is safe. Best effort: returns what it removed.
 *
 * @example
 * ```ts
 * await sweepIngest(paths.ingestDir)
 * ```
 */
export async function sweepIngest(dir: string, now = Date.now()): Promise<string[]> {
  const names = await readdir(dir).catch(() => [])
  const removed: string[] = []
  for (const name of names) {
    const file = join(dir, name)
    const stats = await lstat(file).catch(() => null)
    if (!stats?.isFile() && !stats?.isFIFO()) continue
    if (!isAbandoned(name, now - stats.mtimeMs)) continue
    await rm(file, { force: true }).then(
      () => removed.push(name),
      () => undefined,
    )
  }
  return removed
}

function isAbandoned(name: string, idleMs: number): boolean {
  if (idleMs > staleIngestMs) return true
  const owner = ownerPattern.exec(name)
  if (!owner || owner[2] !== host) return false
  return !isRunning(Number(owner[1]))
}

function isRunning(pid: number): boolean {
  if (pid === process.pid || pid <= 0) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as { code?: unknown }).code === 'EPERM'
  }
}
