/**
 * A duration as a person reads it: `42 ms`, `16.9 s`, `2 min 5 s`, `1 h 2 min`.
 *
 * @example
 * ```ts
 * formatDuration(16_860) // '16.9 s'
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
  const minutes = Math.round(seconds / 60)
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

const byteUnits = ['KiB', 'MiB', 'GiB', 'TiB']

/**
 * A size in binary units: `512 B`, `1.5 KiB`, `58.4 MiB`.
 *
 * @example
 * ```ts
 * formatBytes(61_198_741) // '58.4 MiB'
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  let value = bytes / 1024
  let unit = 0
  while (value >= 1023.95 && unit < byteUnits.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${byteUnits[unit]}`
}
