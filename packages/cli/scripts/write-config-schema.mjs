// Writes config.schema.json (published for editors) from core's schema object,
// so the file can never drift from what the CLI validates.
import { writeFileSync } from 'node:fs'
import { configSchema } from '@squizzle/core/config'

writeFileSync(new URL('../config.schema.json', import.meta.url), `${JSON.stringify(configSchema, null, 2)}\n`)
