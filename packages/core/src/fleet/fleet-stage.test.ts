import { describe, expect, it } from 'vitest'
import { codeOf } from '../test-support/code-of.js'
import { planStages } from './fleet-stage.js'
import type { FleetTarget } from './fleet-target.js'

const targets: FleetTarget[] = [
  { name: 'a', url: 'env:A', labels: { tier: 'canary' } },
  { name: 'b', url: 'env:B', labels: { tier: 'main', region: 'eu' } },
  { name: 'c', url: 'env:C', labels: { tier: 'main', region: 'us' } },
  { name: 'd', url: 'env:D' },
]
const names = (s: { targets: { name: string }[] }) => s.targets.map((t) => t.name)

describe('planStages', () => {
  it('puts each target in the first stage selecting it (labels, names); a stage without select takes the rest', () => {
    const { stages, unselected } = planStages(targets, [
      { name: 'canary', select: { labels: { tier: 'canary' } } },
      { name: 'eu', select: { labels: { region: 'eu' }, names: ['a', 'd'] } },
      { name: 'rest', parallel: 8 },
    ])
    expect(stages.map(names)).toEqual([['a'], ['b', 'd'], ['c']])
    expect(stages[2]!.parallel).toBe(8)
    expect(unselected).toEqual([])
  })

  it('leaves out targets no stage selects, and makes one stage of everything when none is given', () => {
    expect(planStages(targets, [{ name: 'canary', select: { names: ['a'] } }]).unselected.map((t) => t.name)).toEqual([
      'b',
      'c',
      'd',
    ])
    const { stages } = planStages(targets, [])
    expect(stages.map(names)).toEqual([['a', 'b', 'c', 'd']])
    expect(stages[0]).toMatchObject({ parallel: 1, tolerated: 0 })
  })

  it('tolerates no failure by default, any with continue, and maxFailures as a count or a percentage', () => {
    const tolerated = (stage: object) => planStages(targets, [{ name: 's', ...stage }]).stages[0]!.tolerated
    expect(tolerated({})).toBe(0)
    expect(tolerated({ onError: 'continue' })).toBe(Number.POSITIVE_INFINITY)
    expect(tolerated({ onError: 'continue', maxFailures: 2 })).toBe(2)
    expect(tolerated({ maxFailures: '50%' })).toBe(2)
    expect(tolerated({ maxFailures: '10%' })).toBe(0)
  })

  it('refuses duplicate stages, a parallel below 1 and a malformed threshold', () => {
    expect(codeOf(() => planStages(targets, [{ name: 's' }, { name: 's' }]))).toBe('FLEET_STAGE_INVALID')
    expect(codeOf(() => planStages(targets, [{ name: 's', parallel: 0 }]))).toBe('FLEET_STAGE_INVALID')
    expect(codeOf(() => planStages(targets, [{ name: 's', maxFailures: '150%' }]))).toBe('FLEET_STAGE_INVALID')
    expect(codeOf(() => planStages(targets, [{ name: 's', maxFailures: -1 }]))).toBe('FLEET_STAGE_INVALID')
  })
})
