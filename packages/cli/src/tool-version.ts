import { readFileSync } from 'node:fs'

/** This CLI's version, from its package.json (recorded in history and manifests). */
export const toolVersion: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version
