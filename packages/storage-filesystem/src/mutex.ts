/**
 * Runs tasks one at a time, in call order (a promise chain). A failed task does
 * not stop the ones queued after it.
 *
 * @example
 * ```ts
 * const mutex = new Mutex()
 * await mutex.run(async () => writeIndex(paths, next))
 * ```
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task)
    this.tail = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }
}

// One mutex per layout directory for the whole process, so two targets opened on
// the same directory (the CLI may build several) cannot lose each other's tags
// in index.json's read-modify-write.
const byDirectory = new Map<string, Mutex>()

/**
 * The process-wide mutex guarding `index.json` of the layout at `root` (an absolute path).
 *
 * @example
 * ```ts
 * await layoutMutex(paths.root).run(() => updateIndex())
 * ```
 */
export function layoutMutex(root: string): Mutex {
  let mutex = byDirectory.get(root)
  if (!mutex) {
    mutex = new Mutex()
    byDirectory.set(root, mutex)
  }
  return mutex
}
