/**
 * Statistics over benchmark samples. Pure functions, no I/O; docs/bench.md states the definitions.
 *
 * - median: middle order statistic (mean of the two middle ones for even n).
 * - stddev: sample standard deviation (n - 1); cv = stddev / |mean| (0 when n < 2).
 * - ci95 of the median: distribution-free. For n >= 6 the order-statistics (binomial) interval
 *   [x(l), x(n-l+1)] with the largest l whose coverage 1 - 2·P(Bin(n, ½) <= l-1) is still >= 95 %.
 *   For n <= 5 no pair of order statistics reaches 95 %, so a percentile bootstrap (seeded, 2000
 *   resamples) is used instead; it is narrower than honest for tiny n, which the adaptive loop
 *   compensates for with its minimum repetition count.
 * - ratio to native: median(tier) / median(native) with a percentile-bootstrap 95 % interval of the
 *   ratio of medians (independent resampling of both sides, fixed seed: reproducible); for tiers
 *   interleaved with native, the median of the per-repetition ratios (pairedRatio).
 * - outliers: modified z-score 0.6745·|x - median| / MAD > 3.5 (Iglewicz & Hoaglin).
 */
import { mad, mean, median, quantileSorted, sorted, stddev } from './descriptive.js'
import { mulberry32 } from './prng.js'
import type { Ratio, Stats } from '../core/report.js'

export const BOOTSTRAP_RESAMPLES = 2000
const SEED = 0x5eed1234

/** Binomial CDF P(X <= k) for X ~ Bin(n, 1/2), exact for the n used here (log-space for large n). */
export const binomHalfCdf = (k: number, n: number): number => {
  if (k < 0) return 0
  if (k >= n) return 1
  let logC = 0 // log C(n, 0)
  let sum = 0
  const logHalfN = n * Math.log(0.5)
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log((n - i + 1) / i)
    sum += Math.exp(logC + logHalfN)
  }
  return Math.min(1, sum)
}

/**
 * 1-based rank l of the order-statistics 95 % CI of the median, or undefined when n is too small
 * (n <= 5) for any pair of order statistics to cover 95 %.
 */
export const medianCiRank = (n: number, level = 0.95): number | undefined => {
  let best: number | undefined
  for (let l = 1; l <= Math.floor((n + 1) / 2); l++) {
    if (1 - 2 * binomHalfCdf(l - 1, n) >= level) best = l
    else break
  }
  return best
}

const resampleMedian = (xs: readonly number[], rnd: () => number): number => {
  const r = new Array<number>(xs.length)
  for (let i = 0; i < xs.length; i++) r[i] = xs[Math.floor(rnd() * xs.length)]!
  return median(r)
}

export const bootstrapMedianCi = (xs: readonly number[], resamples = BOOTSTRAP_RESAMPLES, seed = SEED): [number, number] => {
  if (xs.length === 0) return [Number.NaN, Number.NaN]
  const rnd = mulberry32(seed)
  const meds = sorted(Array.from({ length: resamples }, () => resampleMedian(xs, rnd)))
  return [quantileSorted(meds, 0.025), quantileSorted(meds, 0.975)]
}

export const medianCi95 = (xs: readonly number[]): { ci: [number, number]; method: 'order-statistics' | 'bootstrap' | 'single' } => {
  const n = xs.length
  if (n === 0) return { ci: [Number.NaN, Number.NaN], method: 'single' }
  if (n === 1) return { ci: [xs[0]!, xs[0]!], method: 'single' }
  const l = medianCiRank(n)
  if (l === undefined) return { ci: bootstrapMedianCi(xs), method: 'bootstrap' }
  const s = sorted(xs)
  return { ci: [s[l - 1]!, s[n - l]!], method: 'order-statistics' }
}

export const computeStats = (xs: readonly number[]): Stats => {
  const m = mean(xs)
  const sd = stddev(xs)
  const s = sorted(xs)
  return {
    n: xs.length,
    median: median(xs),
    mean: m,
    stddev: sd,
    cv: xs.length < 2 || m === 0 ? 0 : sd / Math.abs(m),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
    ci95: medianCi95(xs).ci,
  }
}

/** Largest distance from the median to a CI bound, relative to |median| (0.02 = ±2 %). */
export const relativeCiHalfWidth = (st: Pick<Stats, 'median' | 'ci95'>): number => {
  if (st.median === 0) return st.ci95[0] === 0 && st.ci95[1] === 0 ? 0 : Number.POSITIVE_INFINITY
  return Math.max(st.median - st.ci95[0], st.ci95[1] - st.median) / Math.abs(st.median)
}

/**
 * median(tier) / median(native) with a percentile-bootstrap 95% interval; `draw` makes one resample
 * and returns its (tier, native) medians.
 */
const bootstrapRatio = (
  tier: readonly number[],
  native: readonly number[],
  resamples: number,
  seed: number,
  draw: (rnd: () => number) => readonly [number, number],
): Ratio | undefined => {
  if (tier.length === 0 || native.length === 0) return undefined
  const nat = median(native)
  if (nat === 0) return undefined
  const rnd = mulberry32(seed)
  const ratios: number[] = []
  for (let i = 0; i < resamples; i++) {
    const [t, d] = draw(rnd)
    if (d !== 0) ratios.push(t / d)
  }
  ratios.sort((a, b) => a - b)
  return { value: median(tier) / nat, ci95: [quantileSorted(ratios, 0.025), quantileSorted(ratios, 0.975)] }
}

/** Both sides resampled independently (tiers that ran on their own, minutes apart from native). */
export const ratioOfMedians = (
  tier: readonly number[],
  native: readonly number[],
  resamples = BOOTSTRAP_RESAMPLES,
  seed = SEED,
): Ratio | undefined =>
  bootstrapRatio(tier, native, resamples, seed, (rnd) => {
    const d = resampleMedian(native, rnd)
    return [resampleMedian(tier, rnd), d]
  })

/** tier[k] / native[k] for the repetitions both sides have, leaving out pairs whose native value is not positive. */
export const pairedRatios = (tier: readonly number[], native: readonly number[]): number[] => {
  const out: number[] = []
  for (let k = 0; k < Math.min(tier.length, native.length); k++) if (native[k]! > 0) out.push(tier[k]! / native[k]!)
  return out
}

/**
 * For tiers interleaved with native, whose k-th repetitions ran back to back on the same CPU: the
 * median of the per-pair ratios tier[k] / native[k], with the distribution-free 95% interval of that
 * median (medianCi95 over the ratios). What moved both sides of a pair (the CPU they shared, the host's
 * state at that moment) cancels inside the pair, in the value as well as in the interval. A ratio of
 * the two medians throws the pairing away: on the development host cpu.fp repetitions fell into two
 * modes 30% apart at random, each side's median landed in one or the other, and six quick runs gave
 * container/native 0.92-1.06 by the ratio of medians against 0.97-1.01 by the median of pair ratios
 * (docs/fidelity.md). Uses the repetitions the two sides have in common (a tier may stop before the
 * other).
 */
export const pairedRatio = (tier: readonly number[], native: readonly number[]): Ratio | undefined => {
  const ratios = pairedRatios(tier, native)
  if (ratios.length === 0) return undefined
  return { value: median(ratios), ci95: medianCi95(ratios).ci }
}

/** Indexes of outliers by modified z-score > threshold (Iglewicz & Hoaglin, 3.5). */
export const madOutliers = (xs: readonly number[], threshold = 3.5): number[] => {
  if (xs.length < 3) return []
  const m = median(xs)
  const d = mad(xs)
  // More than half the samples tie: the modified z-score is undefined, so nothing is called an outlier.
  if (d === 0) return []
  return xs.flatMap((x, i) => ((0.6745 * Math.abs(x - m)) / d > threshold ? [i] : []))
}
