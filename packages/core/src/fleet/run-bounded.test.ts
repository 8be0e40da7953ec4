import { describe, expect, it } from 'vitest'
import { runBounded } from './run-bounded.js'

describe('runBounded', () => {
  it('never runs more than the limit at once, and runs every item', async () => {
    let running = 0
    let peak = 0
    const seen: number[] = []
    await runBounded(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (i) => {
        running += 1
        peak = Math.max(peak, running)
        await new Promise((r) => setTimeout(r, 2))
        seen.push(i)
        running -= 1
      },
    )
    expect(peak).toBe(3)
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })

  it('starts no item once stopped, letting the running ones finish', async () => {
    const started: number[] = []
    let stop = false
    await runBounded(
      [1, 2, 3, 4, 5, 6],
      2,
      async (i) => {
        started.push(i)
        if (i === 2) stop = true
        await new Promise((r) => setTimeout(r, 1))
      },
      () => stop,
    )
    expect(started).toEqual([1, 2])
  })
})
