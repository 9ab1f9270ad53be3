import { describe, expect, it } from 'vitest'
import {
  binomHalfCdf,
  bootstrapMedianCi,
  computeStats,
  madOutliers,
  medianCi95,
  medianCiRank,
  pairedRatio,
  ratioOfMedians,
  relativeCiHalfWidth,
} from '../../src/stats/sample-summary.js'
import { median, stddev } from '../../src/stats/descriptive.js'

describe('descriptive statistics (hand-computed)', () => {
  it('median, mean, sd, cv, min, max', () => {
    const s = computeStats([2, 4, 4, 4, 5, 5, 7, 9])
    expect(s.n).toBe(8)
    expect(s.median).toBe(4.5)
    expect(s.mean).toBe(5)
    // sum of squared deviations = 32, / 7
    expect(s.stddev).toBeCloseTo(Math.sqrt(32 / 7), 12)
    expect(s.cv).toBeCloseTo(Math.sqrt(32 / 7) / 5, 12)
    expect([s.min, s.max]).toEqual([2, 9])
    expect(median([3, 1, 2])).toBe(2)
    expect(stddev([5])).toBe(0)
  })
})

describe('confidence interval of the median', () => {
  it('binomial CDF of Bin(n, 1/2)', () => {
    expect(binomHalfCdf(0, 6)).toBeCloseTo(1 / 64, 15)
    expect(binomHalfCdf(1, 6)).toBeCloseTo(7 / 64, 15)
    expect(binomHalfCdf(2, 10)).toBeCloseTo(56 / 1024, 15)
  })
  it('order-statistic ranks: none below n=6, min/max at n=6..8, x(2)..x(n-1) at n=9', () => {
    expect(medianCiRank(5)).toBeUndefined() // [min,max] covers only 1 - 2/32 = 93.75 %
    expect(medianCiRank(6)).toBe(1) // 1 - 2/64 = 96.9 %
    expect(medianCiRank(8)).toBe(1) // l=2: 1 - 2*9/256 = 92.97 %
    expect(medianCiRank(9)).toBe(2) // 1 - 2*10/512 = 96.1 %
    expect(medianCiRank(10)).toBe(2) // l=3: 1 - 2*56/1024 = 89.1 %
    expect(medianCiRank(20)).toBe(6) // textbook value: x(6)..x(15)
  })
  it('uses order statistics for n >= 6 and bootstrap below', () => {
    const xs = [10, 11, 12, 13, 14, 15, 16, 17, 18]
    expect(medianCi95(xs)).toEqual({ ci: [11, 17], method: 'order-statistics' })
    const small = medianCi95([10, 11, 12])
    expect(small.method).toBe('bootstrap')
    expect(small.ci[0]).toBeGreaterThanOrEqual(10)
    expect(small.ci[1]).toBeLessThanOrEqual(12)
    // A resampled median of 3 is 10 or 12 with probability 7/27 each, so the 2.5/97.5 % bounds are the extremes.
    expect(small.ci).toEqual([10, 12])
    expect(bootstrapMedianCi([10, 11, 12])).toEqual(bootstrapMedianCi([10, 11, 12])) // seeded: reproducible
    expect(medianCi95([7])).toEqual({ ci: [7, 7], method: 'single' })
  })
  it('relative half width', () => {
    expect(relativeCiHalfWidth({ median: 100, ci95: [98, 101] })).toBeCloseTo(0.02, 12)
    expect(relativeCiHalfWidth({ median: 0, ci95: [0, 0] })).toBe(0)
  })
})

describe('ratio to native', () => {
  it('is the ratio of medians with a reproducible interval around it', () => {
    const native = [100, 101, 99, 100, 102, 98]
    const tier = [50, 51, 49, 50, 50, 52]
    const r = ratioOfMedians(tier, native)!
    expect(r.value).toBeCloseTo(50 / 100, 12)
    expect(r.ci95[0]).toBeLessThanOrEqual(r.value)
    expect(r.ci95[1]).toBeGreaterThanOrEqual(r.value)
    // the extreme possible ratios bound the interval
    expect(r.ci95[0]).toBeGreaterThanOrEqual(49 / 102)
    expect(r.ci95[1]).toBeLessThanOrEqual(52 / 98)
    expect(ratioOfMedians(tier, native)).toEqual(r)
    expect(ratioOfMedians([], native)).toBeUndefined()
  })

  it('pairedRatio: repetitions that share a CPU keep its speed inside the pair', () => {
    // two CPUs 33% apart, walked 0,1,0,1...; the tier costs 5% on both
    const native = [12000, 16000, 12100, 15900, 11900, 16100, 12050, 15950]
    const tier = native.map((v, k) => v * (k % 3 === 0 ? 0.949 : 0.951))
    const paired = pairedRatio(tier, native)!
    const independent = ratioOfMedians(tier, native)!
    expect(paired.value).toBeCloseTo(0.95, 2)
    // a side with repetitions the other lacks: value and interval come from the common ones
    const longer = pairedRatio([...tier, 1, 1, 1, 1], native)!
    expect(longer).toEqual(paired)
    expect(paired.ci95[0]).toBeGreaterThan(0.94)
    expect(paired.ci95[1]).toBeLessThan(0.96)
    // independent resampling mixes a fast CPU's native with a slow CPU's tier: far wider
    expect(independent.ci95[1] - independent.ci95[0]).toBeGreaterThan(5 * (paired.ci95[1] - paired.ci95[0]))
    expect(pairedRatio([], native)).toBeUndefined()
  })

  it('pairedRatio is the median of the pair ratios, not the ratio of the medians', () => {
    // repetitions fall into two modes at random (cpu.fp on the development host), the same mode for
    // both sides of a pair; the tier costs nothing. Each side's median lands in a different mode.
    const native = [5, 6.5, 5, 6.5, 5, 6.5, 6.5]
    const tier = [5, 6.5, 5, 6.5, 5, 5, 5].map((v, k) => v * (k === 5 ? 1.3 : 1))
    expect(ratioOfMedians(tier, native)!.value).toBeCloseTo(5 / 6.5, 6)
    const paired = pairedRatio(tier, native)!
    expect(paired.value).toBeCloseTo(1, 6)
    expect(paired.ci95[0]).toBeLessThanOrEqual(1)
    expect(paired.ci95[1]).toBeGreaterThanOrEqual(1)
  })
})

describe('MAD outliers', () => {
  it('flags the far sample only', () => {
    // median 10, |dev| = 0,1,1,1,1,40 -> MAD 1; 0.6745*40 = 27 > 3.5
    expect(madOutliers([10, 9, 11, 10.5, 9.5, 50].map((x) => x))).toEqual([5])
    expect(madOutliers([1, 1, 1, 1, 5])).toEqual([]) // MAD 0: undefined, no call
  })
})
