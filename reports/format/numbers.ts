/**
 * Number and unit formatting shared by every renderer: SI prefixes for rates and sizes, ns/µs/ms/s for
 * times, three significant digits, and ratios as `0.97×`. Pure; no colour (that is the Style's job).
 */

import { cutText } from './safe-text.js'

const TIME_UNITS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1 }
const BYTE_UNITS: Readonly<Record<string, number>> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }
const BINARY_UNITS: Readonly<Record<string, number>> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 }

// ---- Three significant digits, four ways ----
// Each variant prints differently on purpose (1.2 -> "1.20" or "1.2"; 2.5e7 -> "25000000" or
// "2.50e+7"), and saved reports, PR comments and tests depend on each: they are not merged, only kept here.

/**
 * Three significant digits, trailing zeros kept, no exponent for the ranges we show (1.20, 12.3, 123,
 * 1234): the matrices, quantities and percentages (formatQuantity, formatPercent). Aligned columns
 * read best with a fixed number of digits.
 */
export const sig3 = (v: number): string => {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a === 0) return '0'
  if (a >= 100) return v.toFixed(0)
  if (a >= 10) return v.toFixed(1)
  if (a >= 1) return v.toFixed(2)
  if (a >= 0.01) return v.toFixed(3)
  return v.toPrecision(3)
}

/**
 * Three significant digits, trailing zeros dropped (1.2, 12.3), integers from 1000, exponent outside
 * [1e-3, 1e7) (2.50e+7): `compare`'s medians, bands and intervals (src/compare/verdict.ts reasons,
 * reports/compare), where raw values of any unit appear and a long integer would hide the change.
 */
export const sig3Compact = (x: number): string => {
  if (!Number.isFinite(x)) return String(x)
  const a = Math.abs(x)
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return x.toExponential(2)
  if (a >= 1000) return Math.round(x).toString()
  return Number(x.toPrecision(3)).toString()
}

/**
 * Three significant digits, trailing zeros dropped, integers from 1000, never an exponent (25000000):
 * the history charts' axis labels and point titles (reports/history/svg-chart.ts), read beside the
 * saved medians they plot.
 */
export const sig3Plain = (x: number): string => (Math.abs(x) >= 1000 ? Math.round(x).toString() : Number(x.toPrecision(3)).toString())

/**
 * `toPrecision(3)`, trailing zeros kept (1.20), integers from 100: the medians quoted in a run's
 * warnings (src/bench/warnings.ts), as saved in result.json since the first version.
 */
export const sig3Precision = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3))

const scale = (value: number, steps: readonly (readonly [number, string])[]): string => {
  const a = Math.abs(value)
  // steps are ordered from largest to smallest factor; pick the first that keeps the number >= 1
  for (const [factor, unit] of steps) if (a >= factor * 0.9995) return `${sig3(value / factor)} ${unit}`
  const last = steps[steps.length - 1]
  return last ? `${sig3(value / last[0])} ${last[1]}` : sig3(value)
}

const timeSteps: readonly (readonly [number, string])[] = [
  [1, 's'],
  [1e-3, 'ms'],
  [1e-6, 'µs'],
  [1e-9, 'ns'],
]
const siSteps = (unit: string, base: number): readonly (readonly [number, string])[] => [
  [1e12 * base, `T${unit}`],
  [1e9 * base, `G${unit}`],
  [1e6 * base, `M${unit}`],
  [1e3 * base, `k${unit}`],
  [base, unit],
]
const binSteps = (suffix: string): readonly (readonly [number, string])[] => [
  [1024 ** 4, `TiB${suffix}`],
  [1024 ** 3, `GiB${suffix}`],
  [1024 ** 2, `MiB${suffix}`],
  [1024, `KiB${suffix}`],
  [1, `B${suffix}`],
]

/**
 * `formatQuantity(22780, 'MB/s')` → `22.8 GB/s`; `(648, 'ns')` → `648 ns`; `(1.2e6, 'op/s')` → `1.20 Mop/s`.
 * Units we do not know keep their name and get an SI prefix only when the value is large.
 */
export const formatQuantity = (value: number, unit: string): string => {
  if (!Number.isFinite(value)) return `${value} ${unit}`.trim()
  const time = TIME_UNITS[unit]
  if (time !== undefined) return scale(value * time, timeSteps)
  const [head, ...rest] = unit.split('/')
  const per = rest.length > 0 ? '/' + rest.join('/') : ''
  const bytes = head === undefined ? undefined : BYTE_UNITS[head]
  if (bytes !== undefined) return scale(value * bytes, siSteps('B' + per, 1))
  const binary = head === undefined ? undefined : BINARY_UNITS[head]
  if (binary !== undefined) return scale(value * binary, binSteps(per))
  const bits = head === undefined ? undefined : { bit: 1, kbit: 1e3, Mbit: 1e6, Gbit: 1e9 }[head]
  if (bits !== undefined) return scale(value * bits, siSteps('bit' + per, 1))
  if (Math.abs(value) >= 1e4) return scale(value, siSteps(unit, 1))
  return `${sig3(value)}${unit ? ' ' + unit : ''}`
}

/** Byte counts (memory overhead): binary prefixes, as `free -h` and `ps` users expect. */
export const formatBytes = (bytes: number): string => scale(bytes, binSteps(''))

/** Milliseconds (boot time, durations) as `850 ms`, `2.31 s`, `3 min 12 s`. */
export const formatMs = (ms: number): string => {
  if (ms >= 120_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
  return scale(ms / 1000, timeSteps)
}

/** `0.97×`, `12.3×`, `0.068×`. */
export const formatRatio = (r: number): string => {
  if (!Number.isFinite(r)) return '–'
  const a = Math.abs(r)
  const s = a >= 100 ? r.toFixed(0) : a >= 10 ? r.toFixed(1) : a >= 0.1 ? r.toFixed(2) : r.toPrecision(2)
  return `${s}×`
}

/** Percentages like `3.2%` for coefficients of variation. */
export const formatPercent = (fraction: number): string => `${sig3(fraction * 100)}%`

/**
 * How good a tier is relative to native, direction-adjusted: 1 = same as native, 0.5 = half as good
 * (half the throughput or twice the latency), 2 = twice as good.
 */
export const goodness = (ratio: number, better: 'higher' | 'lower'): number =>
  better === 'higher' ? ratio : ratio === 0 ? Infinity : 1 / ratio

export type Closeness = 'same' | 'near' | 'far' | 'very-far' | 'better'

/** Buckets used for colour and for the legend; thresholds chosen so ±5% noise reads as "same". */
export const closeness = (ratio: number, better: 'higher' | 'lower'): Closeness => {
  const g = goodness(ratio, better)
  if (g > 1.05) return 'better'
  if (g >= 0.95) return 'same'
  if (g >= 0.75) return 'near'
  if (g >= 0.25) return 'far'
  return 'very-far'
}

/** Cut a one-line string to `max` characters (code points) with an ellipsis, never inside a sequence. */
export const truncate = (s: string, max: number, unicode = true): string => {
  const oneLine = s.replace(/\s+/g, ' ').trim()
  if ([...oneLine].length <= max) return oneLine
  const ell = unicode ? '…' : '...'
  return cutText(oneLine, max - ell.length) + ell
}
