// Copies the repository's sql/system/*.sql into this package so it ships with it.
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const from = join(here, '..', '..', '..', 'sql', 'system')
const to = join(here, '..', 'sql', 'system')
rmSync(to, { recursive: true, force: true })
mkdirSync(to, { recursive: true })
cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('.md') })
