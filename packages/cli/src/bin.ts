#!/usr/bin/env node
import { main } from './main.js'

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
  columns: process.stdout.columns || undefined,
  stdin: process.stdin,
  onInterrupt: (listener) => {
    let presses = 0
    const handler = () => {
      listener(++presses)
      // The second Ctrl-C quits at once: the server rolls back whatever transaction was open.
      if (presses > 1) process.exit(130)
    }
    process.on('SIGINT', handler)
    return () => void process.off('SIGINT', handler)
  },
})
process.exitCode = code
