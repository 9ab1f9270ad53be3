/**
 * Mann–Whitney U (Wilcoxon rank-sum) test, two-sided. It compares whole distributions by ranks, so it
 * holds for small, skewed, outlier-prone benchmark samples where a t-test does not.
 *
 * - Exact when n_a + n_b <= EXACT_MAX_N: the null distribution of the rank sum is counted over every
 *   subset by dynamic programming on doubled mid-ranks, so ties are handled exactly too
 *   (a permutation test on the rank sum).
 * - Beyond that, the normal approximation with tie correction and continuity correction.
 */
import { normalUpperTail } from './normal.js'

export const EXACT_MAX_N = 40

export interface RankTestResult {
  readonly method: 'exact' | 'normal'
  /** U of sample b: pairs (a_i, b_j) with b_j > a_i, ties counted 1/2. */
  readonly u: number
  readonly pTwoSided: number
  /** Smallest two-sided p-value these sample sizes can produce at all (without ties). */
  readonly minAchievableP: number
  readonly ties: boolean
}

/** Mid-ranks (1-based) of the pooled values, doubled so they stay integers; plus tie-group sizes. */
export const doubledMidRanks = (pooled: readonly number[]): { ranks2: number[]; tieSizes: number[] } => {
  const order = pooled.map((v, i) => ({ v, i })).sort((x, y) => x.v - y.v)
  const ranks2 = new Array<number>(pooled.length).fill(0)
  const tieSizes: number[] = []
  let k = 0
  while (k < order.length) {
    let end = k
    while (end + 1 < order.length && (order[end + 1] as { v: number }).v === (order[k] as { v: number }).v) end++
    const r2 = k + 1 + end + 1 // (first rank + last rank), i.e. twice the mid-rank
    for (let j = k; j <= end; j++) ranks2[(order[j] as { i: number }).i] = r2
    tieSizes.push(end - k + 1)
    k = end + 1
  }
  return { ranks2, tieSizes }
}

/**
 * Twice the rank sum of b in the pooled sample, and the tie-group sizes, by merging the two sorted
 * samples: n log n for the typed-array sorts, then linear (per-element ranks are not needed for the
 * normal approximation, and looking each value up cost 11 s for 4 M values).
 */
export const rankSum2AndTies = (a: readonly number[], b: readonly number[]): { w2: number; tieSizes: number[] } => {
  const sa = Float64Array.from(a).sort()
  const sb = Float64Array.from(b).sort()
  let i = 0
  let j = 0
  let w2 = 0
  const tieSizes: number[] = []
  while (i < sa.length || j < sb.length) {
    const v = j >= sb.length || (i < sa.length && (sa[i] as number) <= (sb[j] as number)) ? (sa[i] as number) : (sb[j] as number)
    const before = i + j
    let ca = 0
    let cb = 0
    while (i < sa.length && sa[i] === v) {
      i++
      ca++
    }
    while (j < sb.length && sb[j] === v) {
      j++
      cb++
    }
    w2 += cb * (before + 1 + before + ca + cb) // each b in the group gets (first rank + last rank)
    tieSizes.push(ca + cb)
  }
  return { w2, tieSizes }
}

export const binomial = (n: number, k: number): number => {
  if (k < 0 || k > n) return 0
  let r = 1
  for (let i = 1; i <= Math.min(k, n - k); i++) r = (r * (n - Math.min(k, n - k) + i)) / i
  return r
}

/**
 * Counts of size-`take` subsets of `values` (non-negative integers) by their sum: result[s] = how many
 * subsets sum to s. Float64 counts: exact up to 2^53, relative precision beyond (fine for p-values).
 */
export const subsetSumCounts = (values: readonly number[], take: number): Float64Array => {
  const desc = [...values].sort((a, b) => b - a)
  const maxSum = desc.slice(0, take).reduce((a, b) => a + b, 0)
  const dp: Float64Array[] = Array.from({ length: take + 1 }, () => new Float64Array(maxSum + 1))
  ;(dp[0] as Float64Array)[0] = 1
  let seen = 0
  for (const v of values) {
    seen++
    for (let k = Math.min(seen, take); k >= 1; k--) {
      const row = dp[k] as Float64Array
      const prev = dp[k - 1] as Float64Array
      for (let s = maxSum; s >= v; s--) row[s] = (row[s] as number) + (prev[s - v] as number)
    }
  }
  return dp[take] as Float64Array
}

const uCountsCache = new Map<string, Float64Array>()

/** Exact null distribution of U (no ties) for sizes na, nb: counts[u], u = 0..na*nb (memoized: sizes repeat across cells). */
export const exactUCounts = (na: number, nb: number): Float64Array => {
  const key = `${na},${nb}`
  const hit = uCountsCache.get(key)
  if (hit) return hit
  const counts = computeUCounts(na, nb)
  uCountsCache.set(key, counts)
  return counts
}

const computeUCounts = (na: number, nb: number): Float64Array => {
  const ranks2 = Array.from({ length: na + nb }, (_, i) => 2 * (i + 1))
  const bySum2 = subsetSumCounts(ranks2, nb)
  const offset2 = nb * (nb + 1)
  const counts = new Float64Array(na * nb + 1)
  for (let s2 = offset2; s2 < bySum2.length; s2 += 2) counts[(s2 - offset2) / 2] = bySum2[s2] as number
  return counts
}

export const mannWhitney = (a: readonly number[], b: readonly number[]): RankTestResult => {
  const na = a.length
  const nb = b.length
  if (na === 0 || nb === 0) throw new RangeError('mannWhitney: both samples need at least one value')
  const n = na + nb
  const small = n <= EXACT_MAX_N
  const ranked = small ? doubledMidRanks([...a, ...b]) : undefined
  const { w2, tieSizes } = ranked
    ? { w2: ranked.ranks2.slice(na).reduce((x, y) => x + y, 0), tieSizes: ranked.tieSizes }
    : rankSum2AndTies(a, b)
  const ranks2 = ranked?.ranks2 ?? []
  const u = w2 / 2 - (nb * (nb + 1)) / 2
  const ties = tieSizes.some((t) => t > 1)
  const minAchievableP = Math.min(1, 2 / binomial(n, nb))

  if (n <= EXACT_MAX_N && !ties) {
    const counts = exactUCounts(na, nb)
    const mu = (na * nb) / 2
    const dev = Math.abs(u - mu)
    let total = 0
    let extreme = 0
    counts.forEach((c, k) => {
      total += c
      if (Math.abs(k - mu) >= dev - 1e-9) extreme += c
    })
    return { method: 'exact', u, pTwoSided: Math.min(1, extreme / total), minAchievableP, ties }
  }
  if (n <= EXACT_MAX_N) {
    // ties: the exact permutation distribution of the rank sum over the actual mid-ranks
    const counts = subsetSumCounts(ranks2, nb)
    const mean2 = nb * (n + 1)
    const dev = Math.abs(w2 - mean2)
    let total = 0
    let extreme = 0
    counts.forEach((c, s) => {
      if (c === 0) return
      total += c
      if (Math.abs(s - mean2) >= dev - 1e-9) extreme += c
    })
    return { method: 'exact', u, pTwoSided: Math.min(1, extreme / total), minAchievableP, ties }
  }

  const mu = (na * nb) / 2
  const tieTerm = tieSizes.reduce((acc, t) => acc + (t * t * t - t), 0) / (n * (n - 1))
  const sigma = Math.sqrt(((na * nb) / 12) * (n + 1 - tieTerm))
  if (sigma === 0) return { method: 'normal', u, pTwoSided: 1, minAchievableP, ties }
  const z = Math.max(0, Math.abs(u - mu) - 0.5) / sigma
  return { method: 'normal', u, pTwoSided: Math.min(1, 2 * normalUpperTail(z)), minAchievableP, ties }
}

/** Smallest equal per-side sample size whose exact test can reach p < alpha at all. */
export const minSamplesPerSide = (alpha: number): number => {
  for (let k = 2; k < 100; k++) if (2 / binomial(2 * k, k) < alpha) return k
  return 100
}
