/**
 * From the interleaved loop to two RunReports (A and B) and their comparison. The two option sets
 * are the subject of the test, so the tier-config keys they change are excluded from the
 * comparability check by construction; everything else (host, time, session) is shared.
 */
import type { MetricResult, RunReport, TierRun } from '../../core/report.js'
import type { TierConfig, TierId, TierSample } from '../../core/tier.js'
import { computeStats } from '../../stats/sample-summary.js'
import { compareRuns } from '../compare-runs.js'
import type { CompareReport, CompareSettings } from '../types.js'
import type { AbLoopResult, SideJobResult } from './interleave.js'

export type AbReportBase = Omit<RunReport, 'tiers' | 'results' | 'partial' | 'finishedAt' | 'label'>

export interface AbSideInfo {
  readonly config: TierConfig
  readonly options: Readonly<Record<string, string>>
  readonly bootMs?: number
}

export const optionsLabel = (side: 'A' | 'B', o: Readonly<Record<string, string>>): string =>
  `${side}: ${
    Object.keys(o).length === 0
      ? '(defaults)'
      : Object.entries(o)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')
  }`

const metricsOf = (mine: readonly TierSample[], other: readonly TierSample[]) => {
  const seen = new Map<string, { metric: string; unit: string; better: 'higher' | 'lower' }>()
  for (const s of [...mine, ...other]) if (!seen.has(s.metric)) seen.set(s.metric, { metric: s.metric, unit: s.unit, better: s.better })
  return [...seen.values()]
}

const results = (tier: TierId, mine: readonly SideJobResult[], other: readonly SideJobResult[]): MetricResult[] =>
  mine.flatMap((j, idx) => {
    const otherSamples = other[idx]?.samples ?? []
    return metricsOf(j.samples, otherSamples).map((m): MetricResult => {
      const values = j.samples.filter((s) => s.metric === m.metric).map((s) => s.value)
      const base = { tier, job: j.job, ...m, params: j.params, samples: values }
      if (j.failure)
        return { ...base, state: 'failed', error: j.failure.reason, ...(j.failure.logTail ? { logTail: j.failure.logTail } : {}) }
      if (values.length === 0) return { ...base, state: 'failed', error: 'no samples (interrupted before the first repetition)' }
      const short = j.samples.some((s) => s.metric === m.metric && s.short)
      return { ...base, state: 'ok', stats: computeStats(values), flags: short ? ['short'] : [] }
    })
  })

export const abRunReports = (
  tier: TierId,
  loop: AbLoopResult,
  sides: { readonly A: AbSideInfo; readonly B: AbSideInfo },
  base: AbReportBase,
  finishedAt: string,
  durationMs: number,
): { a: RunReport; b: RunReport } => {
  const make = (side: 'A' | 'B', mine: readonly SideJobResult[], other: readonly SideJobResult[]): RunReport => {
    const info = sides[side]
    const failed = mine.some((j) => j.failure)
    const run: TierRun = {
      tier,
      state: loop.interrupted ? 'interrupted' : 'completed',
      ...(failed
        ? {
            reason: mine
              .filter((j) => j.failure)
              .map((j) => `${j.job}: ${j.failure?.reason}`)
              .join('; '),
          }
        : {}),
      config: { ...info.config, abSide: side, abOrder: loop.order.join(' | ') },
      ...(info.bootMs === undefined ? {} : { bootMs: info.bootMs }),
      durationMs,
    }
    return {
      ...base,
      label: optionsLabel(side, info.options),
      finishedAt,
      partial: loop.interrupted,
      tiers: [run],
      results: results(tier, mine, other),
      warnings: base.warnings,
    }
  }
  return { a: make('A', loop.a, loop.b), b: make('B', loop.b, loop.a) }
}

/** Config keys whose values differ between A and B: the subject of the A/B, not a comparability problem. */
export const differingKeys = (a: TierConfig, b: TierConfig): string[] =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort()

export const compareAb = (a: RunReport, b: RunReport, settings: CompareSettings): CompareReport => {
  const ca = a.tiers[0]?.config ?? {}
  const cb = b.tiers[0]?.config ?? {}
  return compareRuns(
    { base: a, head: b, baseSource: a.label ?? 'A', headSource: b.label ?? 'B', interleaved: true },
    { ...settings, ignoreConfigKeys: [...settings.ignoreConfigKeys, ...differingKeys(ca, cb)] },
  )
}
