/**
 * Hodges–Lehmann shift estimate and its distribution-free confidence interval (Moses), the interval
 * that belongs to the Mann–Whitney test: it excludes 0 when the test rejects at the same level.
 * On the log scale (all values > 0) the shift is a ratio, so the interval is for the relative change.
 */
import { EXACT_MAX_N, exactUCounts } from './mann-whitney.js'
import { normalQuantile } from './normal.js'
import { sorted } from './descriptive.js'

export interface ShiftEstimate {
  /** Relative shift b vs a (0.1 = +10%) when log-scale, else an absolute shift in the metric's unit. */
  readonly estimate: number
  readonly ci: readonly [number, number]
  /** The level actually achieved by the order statistics (>= requested when exact). */
  readonly level: number
  readonly scale: 'relative' | 'absolute'
}

/** k (1-based order statistic) for the Moses interval: largest k with P(U < k) <= (1-level)/2; 0 = unreachable. */
export const mosesK = (na: number, nb: number, level: number): { k: number; achieved: number } => {
  const half = (1 - level) / 2
  const m = na * nb
  if (na + nb <= EXACT_MAX_N) {
    const counts = exactUCounts(na, nb)
    const total = counts.reduce((x, y) => x + y, 0)
    let cum = 0
    let k = 0
    for (let u = 0; u <= m; u++) {
      if (cum + (counts[u] as number) > half * total) break
      cum += counts[u] as number
      k = u + 1
    }
    return { k, achieved: 1 - (2 * cum) / total }
  }
  const z = normalQuantile(1 - half)
  const k = Math.floor(m / 2 - z * Math.sqrt((m * (na + nb + 1)) / 12))
  return { k: Math.max(0, k), achieved: level }
}

/**
 * Beyond this many (a, b) pairs the estimate and interval are read from evenly spaced order statistics
 * of each sorted sample (at most MAX_PAIRS pairs) instead of every pair, so the cost stays n log n in the
 * samples (2 M samples in one cell: a second, not 31 s and 2 GB). The Moses bound k is still computed
 * for the full sizes and read at the same quantile of the thinned differences; with this many samples
 * the difference is far below the interval's own width. docs/compare.md says so.
 */
export const MAX_PAIRS = 1_000_000

/** `keep` evenly spaced order statistics of a sorted sample (all of it when it is small enough). */
const thin = (s: readonly number[], keep: number): readonly number[] =>
  keep >= s.length ? s : Array.from({ length: keep }, (_, i) => s[Math.round((i * (s.length - 1)) / Math.max(1, keep - 1))] as number)

export const hodgesLehmann = (a: readonly number[], b: readonly number[], level: number): ShiftEstimate => {
  const relative = [...a, ...b].every((x) => x > 0)
  const f = relative ? Math.log : (x: number) => x
  const full = a.length * b.length
  const ka = full <= MAX_PAIRS ? a.length : Math.max(1, Math.min(a.length, Math.ceil(Math.sqrt((MAX_PAIRS * a.length) / b.length))))
  const kb = full <= MAX_PAIRS ? b.length : Math.max(1, Math.min(b.length, Math.floor(MAX_PAIRS / ka)))
  const ta = thin(sorted(a), ka)
  const tb = thin(sorted(b), kb)
  const diffs = new Float64Array(ta.length * tb.length)
  let n = 0
  for (const y of tb) for (const x of ta) diffs[n++] = f(y) - f(x)
  const d = diffs.sort()
  const m = d.length
  const mid = m % 2 === 1 ? (d[(m - 1) / 2] as number) : ((d[m / 2 - 1] as number) + (d[m / 2] as number)) / 2
  const { k, achieved } = mosesK(a.length, b.length, level)
  const back = relative ? (x: number) => Math.exp(x) - 1 : (x: number) => x
  if (k < 1)
    return {
      estimate: back(mid),
      ci: [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
      level: 1,
      scale: relative ? 'relative' : 'absolute',
    }
  // the k-th smallest and k-th largest of the full differences, at the same quantile of the thinned ones
  const at = (i: number) => (m === full ? i : Math.round((i * (m - 1)) / Math.max(1, full - 1)))
  return {
    estimate: back(mid),
    ci: [back(d[at(k - 1)] as number), back(d[at(full - k)] as number)],
    level: achieved,
    scale: relative ? 'relative' : 'absolute',
  }
}
