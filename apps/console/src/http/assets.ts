import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/** The console's two static files, shipped in the package's `assets/` folder (no build step). */
const files: Readonly<Record<string, string>> = {
  '/assets/console.css': 'text/css',
  '/assets/console.js': 'text/javascript',
}

const folder = new URL('../../assets/', import.meta.url)

/**
 * The static file at `path` with its content type, or null for anything else.
 *
 * @example
 * ```ts
 * await readAsset('/assets/console.css') // { type: 'text/css', body: '…' }
 * ```
 */
export async function readAsset(path: string): Promise<{ type: string; body: string } | null> {
  const type = files[path]
  if (!type) return null
  const name = path.slice('/assets/'.length)
  return { type, body: await readFile(fileURLToPath(new URL(name, folder)), 'utf8') }
}
