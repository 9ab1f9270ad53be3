// Hand-computed checks of the rank test, the shift interval and the p-value adjustments.
import { describe, expect, it } from 'vitest'
import { doubledMidRanks, exactUCounts, mannWhitney, minSamplesPerSide, subsetSumCounts } from '../../src/stats/mann-whitney.js'
import { hodgesLehmann, mosesK } from '../../src/stats/shift-ci.js'
import { adjustPValues } from '../../src/stats/multiplicity.js'
import { normalQuantile, normalUpperTail } from '../../src/stats/normal.js'
import { median, quantileSorted, scaledMad } from '../../src/stats/descriptive.js'
import { mulberry32 } from '../../src/stats/prng.js'

describe('Mann–Whitney U', () => {
  it('complete separation of 3 vs 3: U = 9, exact p = 2/C(6,3) = 0.1', () => {
    const r = mannWhitney([1, 2, 3], [4, 5, 6])
    expect(r.method).toBe('exact')
    expect(r.u).toBe(9)
    expect(r.pTwoSided).toBeCloseTo(0.1, 12)
    expect(r.minAchievableP).toBeCloseTo(0.1, 12)
  })
  it('complete separation of 5 vs 5: p = 2/252', () => {
    expect(mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).pTwoSided).toBeCloseTo(2 / 252, 12)
    expect(mannWhitney([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).u).toBe(0)
  })
  it('identical samples give p = 1', () => {
    expect(mannWhitney([1, 2, 3, 4], [1, 2, 3, 4]).pTwoSided).toBeCloseTo(1, 12)
  })
  it('ties: mid-ranks and the exact tied permutation distribution (enumerated by hand: 6 of 20 subsets)', () => {
    expect(doubledMidRanks([1, 2, 2, 2, 3, 4]).ranks2).toEqual([2, 6, 6, 6, 10, 12])
    const r = mannWhitney([1, 2, 2], [2, 3, 4])
    expect(r.ties).toBe(true)
    expect(r.u).toBe(8)
    expect(r.pTwoSided).toBeCloseTo(6 / 20, 12)
  })
  it('the memoized no-tie distribution gives the same p as the general mid-rank enumeration', () => {
    const rng = mulberry32(11)
    for (let t = 0; t < 20; t++) {
      const a = Array.from({ length: 7 }, () => rng())
      const b = Array.from({ length: 9 }, () => rng() + 0.2)
      const { ranks2 } = doubledMidRanks([...a, ...b])
      const w2 = ranks2.slice(7).reduce((x, y) => x + y, 0)
      const counts = subsetSumCounts(ranks2, 9)
      const mean2 = 9 * 17
      let total = 0
      let extreme = 0
      counts.forEach((c, s) => {
        total += c
        if (Math.abs(s - mean2) >= Math.abs(w2 - mean2) - 1e-9) extreme += c
      })
      expect(mannWhitney(a, b).pTwoSided).toBeCloseTo(extreme / total, 12)
    }
  })
  it('U distribution counts for 2 vs 2 are 1,1,2,1,1', () => {
    expect([...exactUCounts(2, 2)]).toEqual([1, 1, 2, 1, 1])
  })
  it('normal approximation beyond 40 values: 25 vs 25 separated, z = 312/sqrt(625*51/12)', () => {
    const a = Array.from({ length: 25 }, (_, i) => i + 1)
    const b = a.map((x) => x + 25)
    const r = mannWhitney(a, b)
    expect(r.method).toBe('normal')
    expect(r.u).toBe(625)
    const z = 312 / Math.sqrt((625 * 51) / 12)
    expect(r.pTwoSided).toBeCloseTo(2 * normalUpperTail(z), 15)
    expect(r.pTwoSided).toBeGreaterThan(1e-10)
    expect(r.pTwoSided).toBeLessThan(1e-8)
  })
  it('normal approximation agrees with a large-sample overlap case', () => {
    const rng = mulberry32(7)
    const a = Array.from({ length: 30 }, () => rng())
    const b = Array.from({ length: 30 }, () => rng() + 0.1)
    const r = mannWhitney(a, b)
    // U mean 450, sd sqrt(900*61/12) = 67.64
    const z = (Math.abs(r.u - 450) - 0.5) / Math.sqrt((900 * 61) / 12)
    expect(r.pTwoSided).toBeCloseTo(2 * normalUpperTail(z), 12)
  })
  it('minimum samples per side: 5 for alpha 0.01 (2/252 < 0.01), 4 for alpha 0.05 (2/70)', () => {
    expect(minSamplesPerSide(0.01)).toBe(5)
    expect(minSamplesPerSide(0.05)).toBe(4)
    expect(minSamplesPerSide(0.1)).toBe(4) // 2/20 = 0.1 is not < 0.1
  })
})

describe('Hodges–Lehmann shift with the Moses interval', () => {
  it('5 vs 5 at 95%: k = 3 (P(U<=2) = 4/252), achieved level 1 - 8/252', () => {
    const { k, achieved } = mosesK(5, 5, 0.95)
    expect(k).toBe(3)
    expect(achieved).toBeCloseTo(1 - 8 / 252, 12)
  })
  it('3 vs 3 cannot reach 99%: unbounded interval', () => {
    expect(mosesK(3, 3, 0.99).k).toBe(0)
    const h = hodgesLehmann([1, 2, 3], [2, 3, 4], 0.99)
    expect(h.ci[0]).toBe(Number.NEGATIVE_INFINITY)
  })
  it('absolute shift when a value is 0: median of pairwise differences', () => {
    const h = hodgesLehmann([0, 1, 2], [1, 2, 3], 0.5)
    expect(h.scale).toBe('absolute')
    expect(h.estimate).toBe(1)
  })
  it('relative shift: b = 2a exactly gives +100% with a degenerate interval', () => {
    const a = [10, 11, 12, 13, 14]
    const h = hodgesLehmann(
      a,
      a.map((x) => 2 * x),
      0.95,
    )
    expect(h.scale).toBe('relative')
    expect(h.estimate).toBeCloseTo(1, 12)
    expect(h.ci[0]).toBeLessThan(1)
    expect(h.ci[1]).toBeGreaterThan(1)
  })
})

describe('multiplicity and helpers', () => {
  it('Holm and Benjamini–Hochberg by hand', () => {
    const ps = [0.01, 0.04, 0.03, 0.005]
    expect(adjustPValues(ps, 'holm').map((x) => +x.toFixed(6))).toEqual([0.03, 0.06, 0.06, 0.02])
    expect(adjustPValues(ps, 'bh').map((x) => +x.toFixed(6))).toEqual([0.02, 0.04, 0.04, 0.02])
    expect(adjustPValues(ps, 'none')).toEqual(ps)
  })
  it('normal quantile and tail', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5)
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 5)
    expect(normalUpperTail(1.96)).toBeCloseTo(0.0249979, 6)
  })
  it('median, quantile, MAD', () => {
    expect(median([3, 1, 2, 10])).toBe(2.5)
    expect(quantileSorted([1, 2, 3, 4, 5], 0.25)).toBe(2)
    expect(scaledMad([1, 2, 3, 4, 100])).toBeCloseTo(1.4826, 10)
  })
  it('seeded PRNG: the published mulberry32 sequence, so intervals are the same on every machine', () => {
    // Reference values from an independent implementation of mulberry32 (Python, 32-bit arithmetic).
    const a = mulberry32(42)
    expect([a(), a(), a()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099])
    const b = mulberry32(0x5eed1234)
    expect([b(), b()]).toEqual([0.41157995723187923, 0.841819531749934])
  })
  it('seeded PRNG: uniform on [0, 1), and another seed is another sequence', () => {
    const r = mulberry32(7)
    const deciles = new Array<number>(10).fill(0)
    const n = 20_000
    for (let i = 0; i < n; i++) {
      const x = r()
      expect(x >= 0 && x < 1).toBe(true)
      deciles[Math.floor(x * 10)]! += 1
    }
    for (const d of deciles) expect(Math.abs(d / n - 0.1)).toBeLessThan(0.01)
    const [c, d] = [mulberry32(1), mulberry32(2)]
    expect([c(), c()]).not.toEqual([d(), d()])
  })
})
