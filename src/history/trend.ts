/**
 * Trends over the history: one series per (tier, job, metric), and each point judged against a
 * rolling baseline = median of the medians of the last `window` COMPARABLE earlier runs (same host,
 * same tier config, same job params). The noise band is baseline ± k · 1.4826 · MAD of those medians,
 * so it widens for noisy metrics by itself instead of needing a hand-tuned percentage. A point is a
 * regression when it lies outside the band in the worse direction AND differs from the baseline by at
 * least the threshold (the second condition stops a zero-MAD history from flagging any wiggle).
 */
import type { RunReport } from '../core/report.js'
import { bandSide, DEFAULT_NOISE_BAND, noiseBand } from '../compare/run-noise.js'
import { hostFingerprint, paramsFingerprint, tierFingerprints } from './fingerprint.js'
import type { HistoryEntry } from './types.js'

export interface TrendSettings {
  /** How many earlier comparable runs form the baseline. */
  readonly window: number
  /** Band half-width in scaled MADs. */
  readonly k: number
  readonly thresholdPct: number
  /** Fewer comparable earlier runs than this: no judgement yet. */
  readonly minHistory: number
  /** `native`: the series are each tier's ratio to native from the same run (src/compare/relative.ts). */
  readonly relativeTo?: 'native'
}

export const DEFAULT_TREND: TrendSettings = { window: 10, k: DEFAULT_NOISE_BAND.k, thresholdPct: 5, minHistory: DEFAULT_NOISE_BAND.minRuns }

export type PointState = 'regressed' | 'improved' | 'within' | 'no-baseline' | 'failed'

export interface TrendPoint {
  readonly entryId: string
  readonly startedAt: string
  readonly label?: string
  readonly commit?: string
  readonly median?: number
  readonly ci95?: readonly [number, number]
  readonly n: number
  /** Comparability group: points are judged only against earlier points of the same group. */
  readonly group: string
  readonly baseline?: { readonly median: number; readonly low: number; readonly high: number; readonly runs: number }
  readonly change?: number
  readonly state: PointState
  readonly error?: string
}

export interface TrendSeries {
  readonly tier: string
  readonly job: string
  readonly metric: string
  readonly unit: string
  readonly better: 'higher' | 'lower'
  readonly points: readonly TrendPoint[]
}

export interface HistoryRun {
  readonly entry: HistoryEntry
  readonly run: RunReport
}

const judge = (
  value: number,
  prior: readonly number[],
  better: 'higher' | 'lower',
  s: TrendSettings,
): Pick<TrendPoint, 'baseline' | 'change' | 'state'> => {
  const band = noiseBand(prior, { k: s.k, minRuns: s.minHistory })
  if (!band) return { state: 'no-baseline' }
  const baseline = { median: band.center, low: band.low, high: band.high, runs: band.runs }
  const change = band.center === 0 ? 0 : value / band.center - 1
  const big = Math.abs(change) >= s.thresholdPct / 100
  const side = bandSide(value, band, better)
  return { baseline, change, state: big && side === 'worse' ? 'regressed' : big && side === 'better' ? 'improved' : 'within' }
}

export const buildTrends = (runs: readonly HistoryRun[], s: TrendSettings = DEFAULT_TREND): TrendSeries[] => {
  const series = new Map<string, { meta: Omit<TrendSeries, 'points'>; points: TrendPoint[] }>()
  // Fingerprints are recomputed from each stored run, not read from the index: what identifies a
  // configuration can be refined (config-identity.ts), and older indexes must group with newer runs.
  const hosts = new Map(runs.map(({ run }) => [run, hostFingerprint(run)]))
  const tiers = new Map(runs.map(({ run }) => [run, tierFingerprints(run)]))
  for (const { entry, run } of runs) {
    for (const r of run.results) {
      const key = `${r.tier}\u0000${r.job}\u0000${r.metric}`
      const s0 = series.get(key) ?? { meta: { tier: r.tier, job: r.job, metric: r.metric, unit: r.unit, better: r.better }, points: [] }
      series.set(key, s0)
      const group = `${hosts.get(run)}/${tiers.get(run)?.[r.tier] ?? '-'}/${paramsFingerprint(r.params)}`
      const common = {
        entryId: entry.id,
        startedAt: entry.startedAt,
        ...(entry.label === undefined ? {} : { label: entry.label }),
        ...(entry.commit === undefined ? {} : { commit: entry.commit }),
        group,
      }
      if (r.state === 'failed') {
        s0.points.push({ ...common, n: r.samples.length, state: 'failed', error: r.error })
        continue
      }
      const prior = s0.points
        .filter((p) => p.group === group && p.median !== undefined)
        .slice(-s.window)
        .map((p) => p.median as number)
      s0.points.push({ ...common, median: r.stats.median, ci95: r.stats.ci95, n: r.stats.n, ...judge(r.stats.median, prior, r.better, s) })
    }
  }
  return [...series.values()].map(({ meta, points }) => ({ ...meta, points }))
}

/** Series whose latest point is a regression (what a nightly job alerts on). */
export const latestRegressions = (trends: readonly TrendSeries[]): TrendSeries[] =>
  trends.filter((t) => t.points.at(-1)?.state === 'regressed')
