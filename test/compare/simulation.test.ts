// Seeded simulations of the decision rule: the false-positive rate of A/A comparisons stays below
// alpha, and planted shifts are found (power). Pure and reproducible: same seed, same counts.
import { describe, expect, it } from 'vitest'
import { decide, testCell } from '../../src/compare/verdict.js'
import { gaussian, mulberry32, type Rng } from '../../src/stats/prng.js'

/** Log-normal benchmark-like samples: median `center`, relative noise sigma, occasional 2x outlier. */
const draw = (rng: Rng, n: number, center: number, sigma: number, outlierRate = 0.05): number[] =>
  Array.from({ length: n }, () => center * Math.exp(sigma * gaussian(rng)) * (rng() < outlierRate ? 2 : 1))

const trial = (rng: Rng, n: number, shift: number, sigma: number, alpha = 0.01, thresholdPct = 5) => {
  const a = draw(rng, n, 1000, sigma)
  const b = draw(rng, n, 1000 * (1 + shift), sigma)
  const t = testCell(a, b, alpha)
  return { p: t.numbers.p, verdict: decide(t, t.numbers.p, 'lower', alpha, thresholdPct).verdict }
}

describe('decision rule simulation', () => {
  it('A/A: significant results stay below alpha, regressions are rarer still (2000 trials, n=10, 5% noise, outliers)', () => {
    const rng = mulberry32(1)
    const trials = Array.from({ length: 2000 }, () => trial(rng, 10, 0, 0.05))
    const sigRate = trials.filter((t) => t.p < 0.01).length / trials.length
    const regressions = trials.filter((t) => t.verdict === 'regressed').length
    expect(sigRate).toBeLessThan(0.01)
    expect(regressions / trials.length).toBeLessThan(0.005)
  })

  it('power: a 20% slowdown with 5% noise and 5% outliers: > 95% caught at n=12, > 65% at n=8 (small n costs power)', () => {
    const rng = mulberry32(2)
    const power = (n: number) =>
      Array.from({ length: 500 }, () => trial(rng, n, 0.2, 0.05)).filter((t) => t.verdict === 'regressed').length / 500
    expect(power(12)).toBeGreaterThan(0.95)
    expect(power(8)).toBeGreaterThan(0.65)
  })

  it('power: a 10% slowdown with 3% noise is caught in > 80% of trials at n=10', () => {
    const rng = mulberry32(3)
    const trials = Array.from({ length: 500 }, () => trial(rng, 10, 0.1, 0.03))
    expect(trials.filter((t) => t.verdict === 'regressed').length / trials.length).toBeGreaterThan(0.8)
  })

  it('a 2% shift (below the 5% threshold) is never called a regression even when it is significant', () => {
    const rng = mulberry32(4)
    const trials = Array.from({ length: 300 }, () => trial(rng, 20, 0.02, 0.005, 0.01))
    expect(trials.filter((t) => t.p < 0.01).length).toBeGreaterThan(250)
    expect(trials.filter((t) => t.verdict === 'regressed').length).toBe(0)
  })

  it('an improvement is never a regression', () => {
    const rng = mulberry32(5)
    const trials = Array.from({ length: 300 }, () => trial(rng, 10, -0.3, 0.05))
    expect(trials.filter((t) => t.verdict === 'regressed').length).toBe(0)
    expect(trials.filter((t) => t.verdict === 'improved').length).toBeGreaterThan(270)
  })
})
