/**
 * One cell's verdict from raw samples. A regression needs BOTH a significant rank test (p < alpha,
 * after the chosen adjustment) AND a relative change of medians of at least the threshold in the
 * metric's worse direction: significance alone flags trivial shifts on quiet machines, size alone
 * flags noise on busy ones (Firecracker's A/B rule; docs/compare.md).
 */
import { mannWhitney, minSamplesPerSide } from '../stats/mann-whitney.js'
import { hodgesLehmann } from '../stats/shift-ci.js'
import { mean, median, stddev } from '../stats/descriptive.js'
import { bandSide, DEFAULT_NOISE_BAND, noiseBand } from './run-noise.js'
import type { CellNumbers, Verdict } from './types.js'
import { sig3Compact } from '../../reports/format/numbers.js'

export interface CellTest {
  readonly numbers: Omit<CellNumbers, 'pAdjusted'>
  /** Set when the samples cannot support any verdict (too few). */
  readonly tooFew?: string
}

const cv = (xs: readonly number[]): number => {
  const m = mean(xs)
  return m === 0 ? 0 : stddev(xs) / Math.abs(m)
}

export interface MultiRunBaseline {
  /** One median per baseline run (the samples in `base` are these runs' samples, pooled). */
  readonly runMedians: readonly number[]
  readonly bandK: number
}

/**
 * `base` holds the samples of every baseline run, pooled; with a multi-run baseline the center is the
 * median of the run medians (the rolling baseline of history) and the run-to-run band is known.
 */
export const testCell = (base: readonly number[], head: readonly number[], alpha: number, multi?: MultiRunBaseline): CellTest => {
  const baseRunMedians = multi?.runMedians ?? []
  const runToRun = noiseBand(baseRunMedians, { ...DEFAULT_NOISE_BAND, k: multi?.bandK ?? DEFAULT_NOISE_BAND.k })
  const medianBase = baseRunMedians.length > 1 ? median(baseRunMedians) : median(base)
  const medianHead = median(head)
  const change = medianBase === 0 ? null : medianHead / medianBase - 1
  const enough = base.length >= 1 && head.length >= 1
  const rank = enough ? mannWhitney(base, head) : undefined
  const shift = enough
    ? hodgesLehmann(base, head, 1 - alpha)
    : { estimate: Number.NaN, ci: [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY] as const, level: 1, scale: 'relative' as const }
  const numbers = {
    baseRuns: Math.max(1, baseRunMedians.length),
    ...(runToRun ? { runToRun } : {}),
    nBase: base.length,
    nHead: head.length,
    medianBase,
    medianHead,
    change,
    shift,
    p: rank?.pTwoSided ?? 1,
    method: rank?.method ?? 'exact',
    cvBase: cv(base),
    cvHead: cv(head),
  } as const
  const minP = rank?.minAchievableP ?? 1
  if (minP >= alpha) {
    const need = minSamplesPerSide(alpha)
    return {
      numbers,
      tooFew: `too few samples (${base.length} vs ${head.length}): the smallest p these sizes allow is ${fmtP(minP)}, not below alpha ${alpha}; collect at least ${need} per side`,
    }
  }
  return { numbers }
}

export const fmtP = (p: number): string => (p < 0.0001 ? p.toExponential(1) : p < 0.01 ? p.toFixed(4) : p.toFixed(3))
export const fmtPct = (x: number | null, digits = 1): string =>
  x === null || !Number.isFinite(x) ? (x === null ? 'n/a' : x > 0 ? '+inf' : '-inf') : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)}%`

/**
 * What a verdict against a baseline without a run-to-run band (one run, or fewer than the band needs),
 * in separate runs, could be mistaken for: `raw` values move with the host (a whole-run shift of 10-38%
 * in mem.stream on the development host); a tier's `ratio` to native cancels that, but not all of it.
 */
export type DriftKind = 'raw' | 'ratio'

/**
 * A ratio to native still moves between separate runs with nothing changed: in 30 quick runs of
 * native,container on the development host (2026-12-04), container mem.stream copy ÷ native lay in
 * 0.920-1.035, and two consecutive runs differed by 11.8% (0.920 -> 1.029), which `compare` called
 * "improved" (p = 6e-6): each run's pairs agreed among themselves, the run as a whole was off
 * (benchmarks/results/compare-aa-2026-12-04T1906Z.txt). A ratio change below this, against one baseline
 * run, is `drift?`; a 30% CPU quota (-29% cpu.int, +39% syscall) is still a regression.
 */
export const RATIO_RUN_TO_RUN_PCT = 15

export interface Decision {
  readonly verdict: Verdict
  readonly reason: string
}

export const decide = (
  t: CellTest,
  pAdjusted: number,
  better: 'higher' | 'lower',
  alpha: number,
  thresholdPct: number,
  opts: { readonly drift?: DriftKind } = {},
): Decision => {
  if (t.tooFew) return { verdict: 'inconclusive', reason: t.tooFew }
  const n = t.numbers
  const thr = thresholdPct / 100
  const change = n.change
  if (change === null) return { verdict: 'inconclusive', reason: 'base median is 0: no relative change can be computed' }
  const worse = better === 'higher' ? change < 0 : change > 0
  const big = Math.abs(change) >= thr
  const significant = pAdjusted < alpha
  const pText = `p=${fmtP(pAdjusted)}${pAdjusted !== n.p ? ` (raw ${fmtP(n.p)})` : ''}`
  const chText = `median ${fmtPct(change)}`
  // A multi-run baseline knows how far separate runs scatter: a head median inside that band is
  // indistinguishable from drift, however small the p-value of this run's repetitions.
  const band = n.runToRun
  if (big && band && bandSide(n.medianHead, band, better) === 'within')
    return {
      verdict: 'inconclusive',
      reason: `${chText} ${worse ? 'worse' : 'better'} (${pText}), but inside the run-to-run noise of the baseline: ${band.runs} runs, medians ${sig3Compact(band.center)} ± ${fmtPct(band.center === 0 ? null : (band.high - band.center) / band.center)} (band [${sig3Compact(band.low)}, ${sig3Compact(band.high)}]); separate runs of one configuration differ that much here`,
    }
  // what a change that passes the rule says, before what the baseline makes of it
  const passes = `${chText} ${worse ? 'worse' : 'better'} (${better} is better), ${pText} < ${alpha} and |change| >= ${thresholdPct}%`
  const unconfirmed = `unconfirmed: ${n.baseRuns === 1 ? 'single baseline run' : `${n.baseRuns} baseline runs, too few for a run-to-run band`}`
  const failsWith = `fails only with --fail-on ${worse ? 'drift or any' : 'any'}`
  if (significant && big && opts.drift === 'raw')
    return {
      verdict: 'drift',
      reason: `${passes}, but ${unconfirmed}, judged on raw values; drift between two separate runs explains this as well (${failsWith}; several baseline runs, native in both runs, or \`virtcheck ab\` would decide)`,
    }
  if (significant && big && opts.drift === 'ratio' && Math.abs(change) < RATIO_RUN_TO_RUN_PCT / 100)
    return {
      verdict: 'drift',
      reason: `${passes}, but ${unconfirmed}; the ratio to native cancels host drift, yet separate runs of one configuration moved it by up to 12% on the development host, so a change below ${RATIO_RUN_TO_RUN_PCT}% can be drift (${failsWith}; several baseline runs or \`virtcheck ab\` would decide)`,
    }
  if (significant && big)
    return {
      verdict: worse ? 'regressed' : 'improved',
      reason: `${passes}${
        band ? `, outside the run-to-run band [${sig3Compact(band.low)}, ${sig3Compact(band.high)}] of ${band.runs} baseline runs` : ''
      }`,
    }
  if (significant) return { verdict: 'unchanged', reason: `significant (${pText}) but ${chText} is below the ${thresholdPct}% threshold` }
  if (big)
    return {
      verdict: 'inconclusive',
      reason:
        n.baseRuns > 1
          ? `${chText} reaches the ${thresholdPct}% threshold but is not significant against the pooled samples of ${n.baseRuns} baseline runs (${pText} >= ${alpha}): the head does not stand apart from what those runs measured`
          : `${chText} reaches the ${thresholdPct}% threshold but is not significant (${pText} >= ${alpha}); more repetitions (or an interleaved \`virtcheck ab\`) would decide`,
    }
  const [lo, hi] = n.shift.ci
  const wide = n.shift.scale === 'relative' && (lo <= -thr || hi >= thr)
  return {
    verdict: 'unchanged',
    reason: `no significant change (${pText} >= ${alpha}), ${chText} below ${thresholdPct}%${wide ? `; note: the interval [${fmtPct(lo)}, ${fmtPct(hi)}] does not rule out a change of ${thresholdPct}%` : ''}`,
  }
}
