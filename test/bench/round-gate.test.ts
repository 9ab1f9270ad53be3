import { describe, expect, it } from 'vitest'
import { decideRound, roundGate, roundLeader } from '../../src/bench/round-gate.js'

describe('decideRound', () => {
  it('goes on while any tier wants more, stops when all are satisfied, and a limit stops everyone', () => {
    expect(decideRound([{ kind: 'satisfied' }, { kind: 'more' }])).toEqual({ kind: 'more' })
    expect(decideRound([{ kind: 'satisfied' }, { kind: 'satisfied' }])).toEqual({ kind: 'stop', reason: 'ci-reached' })
    expect(decideRound([{ kind: 'more' }, { kind: 'stop', reason: 'job-budget' }])).toEqual({ kind: 'stop', reason: 'job-budget' })
  })
})

describe('roundGate', () => {
  it('settles a round only when every seated tier has voted', async () => {
    const [a, b] = roundGate(2)
    let settled = false
    const pa = a!.vote({ kind: 'satisfied' }).then((d) => {
      settled = true
      return d
    })
    await Promise.resolve()
    expect(settled).toBe(false)
    const pb = b!.vote({ kind: 'more' })
    expect(await pa).toEqual({ kind: 'more' })
    expect(await pb).toEqual({ kind: 'more' })
    // the next round starts empty
    const next = [a!.vote({ kind: 'satisfied' }), b!.vote({ kind: 'satisfied' })]
    expect(await Promise.all(next)).toEqual([
      { kind: 'stop', reason: 'ci-reached' },
      { kind: 'stop', reason: 'ci-reached' },
    ])
  })

  it('a tier that leaves (failed, interrupted) no longer holds the others', async () => {
    const [a, b] = roundGate(2)
    const pa = a!.vote({ kind: 'more' })
    b!.leave()
    expect(await pa).toEqual({ kind: 'more' })
    expect(await a!.vote({ kind: 'satisfied' })).toEqual({ kind: 'stop', reason: 'ci-reached' })
  })
})

describe('roundLeader', () => {
  it('rotates the first tier once per walk, so every tier leads on every CPU', () => {
    // 2 tiers, a walk over 2 CPUs: rounds 0,1 led by tier 0 (CPU 0, 1), rounds 2,3 by tier 1
    expect([0, 1, 2, 3, 4].map((r) => roundLeader(r, 2, 2))).toEqual([0, 0, 1, 1, 0])
    expect([0, 1, 2, 3].map((r) => roundLeader(r, 3))).toEqual([0, 1, 2, 0])
  })

  it('releases a round starting from its leader', async () => {
    const seats = roundGate(3)
    const released: number[] = []
    await Promise.all(seats.map((s, i) => s.vote({ kind: 'more' }).then(() => released.push(i))))
    expect(released).toEqual([1, 2, 0])
  })
})
