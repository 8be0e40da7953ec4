// Runs a command as a real process under /usr/bin/time and returns its wall time,
// CPU time (user + system) and peak RSS, so every tool is measured the same way.
import { spawnSync } from 'node:child_process'

const time = process.env.BENCH_TIME ?? '/usr/bin/time'

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: Record<string, string | undefined>, input?: string }} [options]
 * @returns {{ wall: number, cpu: number, rssMb: number, stdout: string, stderr: string }}
 */
export function measure(cmd, args, options = {}) {
  const started = process.hrtime.bigint()
  const r = spawnSync(time, ['-f', '\nbench-rusage %U %S %M', cmd, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  const wall = Number(process.hrtime.bigint() - started) / 1e9
  const match = /\nbench-rusage ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr ?? '')
  const stderr = match ? r.stderr.slice(0, match.index) : r.stderr
  if (r.status !== 0 || !match) {
    throw new Error(`${cmd} ${args.slice(0, 4).join(' ')} failed (${r.status ?? r.signal}): ${stderr || r.error}`)
  }
  return { wall, cpu: Number(match[1]) + Number(match[2]), rssMb: Number(match[3]) / 1024, stdout: r.stdout, stderr }
}

/** The median of a list of numbers (the upper one of an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** The 1-minute load average, as text, for the record next to the numbers. */
export async function loadAverage() {
  const { loadavg } = await import('node:os')
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')
}

/**
 * Runs `rounds` rounds of every named measurement, in an order that rotates each round,
 * so load that comes and goes hits every tool alike; returns each name's samples.
 *
 * @param {number} rounds
 * @param {Record<string, () => Promise<any> | any>} cases
 */
export async function interleave(rounds, cases) {
  const names = Object.keys(cases)
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length]
      samples[name].push(await cases[name]())
    }
  }
  return samples
}
