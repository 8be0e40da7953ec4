#!/usr/bin/env node
import { main } from './main.js'

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
  columns: process.stdout.columns,
  stdin: process.stdin,
})
process.exitCode = code
