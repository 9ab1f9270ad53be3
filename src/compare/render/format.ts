/** Shared number formatting for the compare renderers: every verdict line carries the same numbers. */
import { fmtP, fmtPct } from '../verdict.js'
import type { ComparedCell } from '../types.js'

export { fmtP, fmtPct }

/** Three significant digits, plain notation for everyday magnitudes. */
export const fmtNum = (x: number): string => {
  if (!Number.isFinite(x)) return String(x)
  const a = Math.abs(x)
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return x.toExponential(2)
  if (a >= 1000) return Math.round(x).toString()
  return Number(x.toPrecision(3)).toString()
}

export const fmtValue = (x: number, unit: string): string => `${fmtNum(x)} ${unit}`.trim()

export const fmtInterval = (c: ComparedCell): string => {
  const s = c.numbers.shift
  const [lo, hi] = s.ci
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'unbounded'
  return s.scale === 'relative' ? `[${fmtPct(lo)}, ${fmtPct(hi)}]` : `[${fmtNum(lo)}, ${fmtNum(hi)}] ${c.unit}`
}

export const levelPct = (c: ComparedCell): string => `${(c.numbers.shift.level * 100).toFixed(1).replace(/\.0$/, '')}%`

/** Header for the interval column: the requested level (cells report the level their n achieves). */
export const ciLabel = (alpha: number): string => `${+((1 - alpha) * 100).toFixed(2)}% CI`

export const cellName = (c: { tier: string; job: string; metric: string }): string => `${c.tier} ${c.job} ${c.metric}`

/** `12.3 -> 14.0 ms/op (+13.8%, 99% CI [+9.1%, +18.0%], p=0.0079, n=5/5)` */
export const numbersLine = (c: ComparedCell): string => {
  const n = c.numbers
  return `${fmtNum(n.medianBase)} -> ${fmtValue(n.medianHead, c.unit)} (${fmtPct(n.change)}, ${levelPct(c)} CI ${fmtInterval(c)}, p=${fmtP(n.pAdjusted)}, n=${n.nBase}/${n.nHead})`
}

export const VERDICT_ORDER = ['regressed', 'improved', 'inconclusive', 'unchanged'] as const
