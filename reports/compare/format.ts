/** Shared number formatting for the compare renderers: every verdict line carries the same numbers. */
import { fmtP, fmtPct } from '../../src/compare/verdict.js'
import { sig3Compact } from '../format/numbers.js'
import type { CompareReport, ComparedCell } from '../../src/compare/types.js'
import { isRefused } from '../../src/compare/compare-runs.js'

export { fmtP, fmtPct }

export const fmtValue = (x: number, unit: string): string => `${sig3Compact(x)} ${unit}`.trim()

export const fmtInterval = (c: ComparedCell): string => {
  const s = c.numbers.shift
  const [lo, hi] = s.ci
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'unbounded'
  return s.scale === 'relative' ? `[${fmtPct(lo)}, ${fmtPct(hi)}]` : `[${sig3Compact(lo)}, ${sig3Compact(hi)}] ${c.unit}`
}

export const levelPct = (c: ComparedCell): string => `${(c.numbers.shift.level * 100).toFixed(1).replace(/\.0$/, '')}%`

/** Header for the interval column: the requested level (cells report the level their n achieves). */
export const ciLabel = (alpha: number): string => `${+((1 - alpha) * 100).toFixed(2)}% CI`

export const cellName = (c: { tier: string; job: string; metric: string }): string => `${c.tier} ${c.job} ${c.metric}`

/** Sample counts, `8/8`; a multi-run baseline also names its runs: `48 (6 runs)/8`. */
export const fmtCounts = (c: ComparedCell): string =>
  `${c.numbers.nBase}${c.numbers.baseRuns > 1 ? ` (${c.numbers.baseRuns} runs)` : ''}/${c.numbers.nHead}`

/** What the comparison came to, in a few words: refused, interrupted, failed under the policy, or no regression. */
export const headline = (r: CompareReport): { kind: 'ok' | 'failed' | 'refused' | 'interrupted'; text: string } => {
  if (isRefused(r))
    return { kind: 'refused', text: `not comparable (${r.comparability.problems.length} difference(s)): nothing was judged` }
  if (r.interrupted)
    return { kind: 'interrupted', text: `interrupted before the confirmation: ${r.summary.regressed} regressed, unconfirmed` }
  return r.failed ? { kind: 'failed', text: r.failReasons.join(', ') } : { kind: 'ok', text: 'no regression' }
}

/** The decision rule in one sentence, as the settings and the baseline make it. */
export const ruleText = (r: CompareReport): string => {
  const s = r.settings
  return `${r.judgedOn?.basis === 'native' ? 'tier cells on ratios to native from the same run, native on raw values: ' : ''}regression = Mann–Whitney p < ${s.alpha}${s.correction !== 'none' ? ` (${s.correction}-adjusted)` : ''} AND |median change| >= ${s.thresholdPct}% in the worse direction${
    r.cells.some((c) => c.numbers.runToRun)
      ? ` AND outside the run-to-run band of the baseline runs (median of run medians ± ${s.bandK} × 1.4826 × MAD)`
      : ''
  }`
}

/** `12.3 -> 14.0 ms/op (+13.8%, 99% CI [+9.1%, +18.0%], p=0.0079, n=5/5)` */
export const numbersLine = (c: ComparedCell): string => {
  const n = c.numbers
  return `${sig3Compact(n.medianBase)} -> ${fmtValue(n.medianHead, c.unit)} (${fmtPct(n.change)}, ${levelPct(c)} CI ${fmtInterval(c)}, p=${fmtP(n.pAdjusted)}, n=${fmtCounts(c)})`
}

export const VERDICT_ORDER = ['regressed', 'improved', 'drift', 'inconclusive', 'unchanged'] as const

/** `drift?`: the question mark is the point (it could be the change, or the host between the runs). */
export const verdictLabel = (v: ComparedCell['verdict']): string => (v === 'drift' ? 'drift?' : v)
