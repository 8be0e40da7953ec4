#!/usr/bin/env node
// The command's entry point. Committed, unlike dist/, so that `pnpm install` in a fresh clone can
// link `squizzle` into node_modules/.bin before the first build; it runs the bundled dist/bin.js.
const entry = new URL('../dist/bin.js', import.meta.url)
import(entry.href).catch((err) => {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes(entry.pathname)) throw err
  process.stderr.write('error squizzle is not built yet [USAGE]\n  hint: Run `pnpm build` in the repository first.\n')
  process.exitCode = 2
})
