/**
 * From one (tier, job)'s adaptive run to MetricResults (pure): statistics per metric, warnings with
 * hints, failed cells with their reason and log tail, and ratios to native once native ran.
 */
import type { MetricResult, RunWarning } from '../core/report.js'
import type { TierId, TierSample } from '../core/tier.js'
import type { AdaptiveResult } from './adaptive.js'
import type { CatalogMetric, PlannedJob } from './plan.js'
import { computeStats, pairedRatio, ratioOfMedians } from '../stats/sample-summary.js'
import { cellWarnings } from './warnings.js'

export interface CellOutput {
  readonly results: MetricResult[]
  readonly warnings: RunWarning[]
}

const groupByMetric = (samples: readonly TierSample[]): Map<string, TierSample[]> => {
  const m = new Map<string, TierSample[]>()
  for (const s of samples) m.set(s.metric, [...(m.get(s.metric) ?? []), s])
  return m
}

/** Metrics to report for a job: the catalog's, plus any the agent emitted that the catalog lacks. */
const metricsOf = (job: PlannedJob, samples: readonly TierSample[]): CatalogMetric[] => {
  const list: CatalogMetric[] = [...job.metrics]
  for (const s of samples) if (!list.some((m) => m.metric === s.metric)) list.push({ metric: s.metric, unit: s.unit, better: s.better })
  return list.length ? list : [{ metric: '*', unit: '', better: 'higher' }]
}

/** Every metric of a job failed for one reason (tier could not run it). */
export const failedCell = (tier: TierId, job: PlannedJob, reason: string, logTail?: string, params = job.params): CellOutput => ({
  results: metricsOf(job, []).map((m) => ({
    tier,
    job: job.job,
    ...m,
    params,
    samples: [],
    state: 'failed' as const,
    error: reason,
    ...(logTail !== undefined ? { logTail } : {}),
  })),
  warnings: [],
})

export const cellFromAdaptive = (
  tier: TierId,
  job: PlannedJob,
  run: AdaptiveResult,
  ciTarget: number,
  /** The CPUs the repetitions walked (repetition k on cpus[k mod n]), when they were pinned. */
  cpus?: readonly number[],
): CellOutput => {
  const params = job.params
  const byMetric = groupByMetric(run.samples)
  const results: MetricResult[] = []
  const warnings: RunWarning[] = []
  for (const m of metricsOf(job, run.samples)) {
    const samples = byMetric.get(m.metric) ?? []
    const values = samples.map((s) => s.value)
    const base = {
      tier,
      job: job.job,
      metric: m.metric,
      unit: samples[0]?.unit ?? m.unit,
      better: samples[0]?.better ?? m.better,
      params,
      samples: values,
    }
    if (run.failure || samples.length === 0) {
      const reason =
        run.failure?.reason ??
        (run.stop === 'interrupted'
          ? 'interrupted before this job produced samples'
          : run.stop === 'run-budget'
            ? "not run: this tier's share of the run time budget (--time-budget) was used up"
            : `the agent produced no samples for metric ${m.metric}`)
      results.push({
        ...base,
        state: 'failed',
        error: reason,
        ...(run.failure?.logTail !== undefined ? { logTail: run.failure.logTail } : {}),
      })
      continue
    }
    const stats = computeStats(values)
    const w = cellWarnings({
      tier,
      job: job.job,
      metric: m.metric,
      better: base.better,
      samples,
      stats,
      stop: run.stop,
      ciTarget,
      ...(cpus ? { cpus } : {}),
    })
    warnings.push(...w.warnings)
    results.push({ ...base, state: 'ok', stats, flags: w.flags })
  }
  return { results, warnings }
}

/**
 * Fill ratioToNative on every non-native ok result whose (job, metric) native measured. Tiers in
 * `pairedWithNative` ran interleaved with native, repetition by repetition, and a result with
 * `nativeAlongside` has native's samples from its own group: their ratio is the median of the
 * per-repetition ratios (pairedRatio). Otherwise it is the ratio of the medians.
 */
export const withRatios = (results: readonly MetricResult[], pairedWithNative: ReadonlySet<string> = new Set()): MetricResult[] => {
  const native = new Map<string, readonly number[]>()
  for (const r of results) if (r.tier === 'native' && r.state === 'ok') native.set(`${r.job}\0${r.metric}`, r.samples)
  return results.map((r) => {
    if (r.state !== 'ok' || r.tier === 'native') return r
    const nat = native.get(`${r.job}\0${r.metric}`)
    const ratio = r.nativeAlongside?.length
      ? pairedRatio(r.samples, r.nativeAlongside)
      : nat
        ? pairedWithNative.has(r.tier)
          ? pairedRatio(r.samples, nat)
          : ratioOfMedians(r.samples, nat)
        : undefined
    return ratio ? { ...r, ratioToNative: ratio } : r
  })
}
