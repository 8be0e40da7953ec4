// A Squizzle storage plugin: bundles in PostgreSQL tables. The default export is what the CLI loads.
export { plugin as default, plugin, optionsSchema, urlEnvVar } from './pgtable-plugin.js'
export { PgTableTarget, type PgTableOptions } from './pgtable-target.js'
export { optionsFromUrl } from './options-from-url.js'
