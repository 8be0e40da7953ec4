#!/usr/bin/env node
import { guardedOutput } from './output/guarded-output.js'
import { boundHeapGrowth } from './heap-growth.js'
import { toolVersion } from './tool-version.js'

// `--version` answers before anything else is loaded: it is what scripts call most often
// to check for the tool, and it needs nothing but the package's version.
const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  guardedOutput(process.stdout).write(`${toolVersion}\n`)
} else {
  boundHeapGrowth()
  const { main } = await import('./main.js')
  process.exitCode = await main(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
    columns: process.stdout.columns || undefined,
    stdin: process.stdin,
    onInterrupt,
  })
}

/** Ctrl-C: the first press asks the run to stop; the second quits at once (the server rolls back). */
function onInterrupt(listener: (presses: number) => void): () => void {
  let presses = 0
  const handler = () => {
    listener(++presses)
    if (presses > 1) process.exit(130)
  }
  process.on('SIGINT', handler)
  return () => void process.off('SIGINT', handler)
}
