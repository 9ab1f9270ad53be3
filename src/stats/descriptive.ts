/** Order statistics and means used by bench, compare, history, fleet and the report headline: median, quantiles, MAD, geometric mean. Pure, no I/O. */

// a typed-array sort is numeric without a comparator: 2 M samples in well under a second
export const sorted = (xs: readonly number[]): number[] => Array.from(Float64Array.from(xs).sort())

/** Linear-interpolation quantile (type 7, as R's default and numpy), q in [0,1]. */
export const quantileSorted = (s: readonly number[], q: number): number => {
  if (s.length === 0) return Number.NaN
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  const a = s[lo] as number
  const b = s[hi] as number
  return a + (b - a) * (pos - lo)
}

/** Middle order statistic; the mean of the two middle ones for even n. */
export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN
  const s = sorted(xs)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** Geometric mean of positive values (ratios, slowdowns); NaN for none. */
export const geomean = (xs: readonly number[]): number => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length)

export const mean = (xs: readonly number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length)

/** Sample standard deviation (n - 1). */
export const stddev = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0
  const m = mean(xs)
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1))
}

/** Median absolute deviation (unscaled). */
export const mad = (xs: readonly number[]): number => {
  const m = median(xs)
  return median(xs.map((x) => Math.abs(x - m)))
}

/** Median absolute deviation, scaled by 1.4826 so it estimates sigma for normal data. */
export const scaledMad = (xs: readonly number[]): number => (xs.length === 0 ? Number.NaN : 1.4826 * mad(xs))
