import { readFileSync } from 'node:fs'

/** This package's version (recorded as the tool version of the migrator's read-only status calls). */
export const consoleVersion: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version
