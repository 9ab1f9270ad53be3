/**
 * Warnings with hints (hyperfine style) for one measured cell. Pure: from the samples and how the
 * adaptive loop stopped to flag codes on the MetricResult plus RunWarnings that say why and what to do.
 */
import type { RunWarning, Stats } from '../core/report.js'
import type { TierId, TierSample } from '../core/tier.js'
import type { StopReason } from './adaptive.js'
import { median } from '../stats/descriptive.js'
import { sig3Precision } from '../../reports/format/numbers.js'
import { madOutliers, relativeCiHalfWidth } from '../stats/sample-summary.js'

/** cv above this is called noisy even when the CI target was met. */
export const NOISY_CV = 0.1

export interface CellInput {
  readonly tier: TierId
  readonly job: string
  readonly metric: string
  readonly better: 'higher' | 'lower'
  readonly samples: readonly TierSample[]
  readonly stats: Stats
  readonly stop: StopReason
  readonly ciTarget: number
  /** The CPUs the repetitions walked: repetition k ran on cpus[k mod n] (src/bench/cpu-walk.ts). */
  readonly cpus?: readonly number[]
}

/** Medians of two CPUs this far apart, with every repetition of one better than every one of the other, are named. */
export const CPU_DIFFERS = 0.1

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '∞')

export const cellWarnings = (c: CellInput): { flags: string[]; warnings: RunWarning[] } => {
  const where = { tier: c.tier, job: c.job, metric: c.metric }
  const name = `${c.job} ${c.metric} in ${c.tier}`
  const warnings: RunWarning[] = []
  const width = relativeCiHalfWidth(c.stats)
  const values = c.samples.map((s) => s.value)
  const cpuGap = c.cpus ? cpuDifference(values, c.cpus, c.better) : undefined
  if (width > c.ciTarget || c.stats.cv > NOISY_CV) {
    warnings.push({
      code: 'noisy',
      ...where,
      message: `${name}: 95% CI of the median is ±${pct(width)} (target ±${pct(c.ciTarget)}), cv ${pct(c.stats.cv)}, after ${c.stats.n} repetitions (stopped: ${c.stop})`,
      hint: cpuGap
        ? 'Most of the spread is between CPUs (see the cpu-differs warning), not disturbance: every run samples them alike, so the median is still comparable between runs.'
        : 'Other processes or VMs disturb the measurement: run on an idle host, or allow more repetitions with --time-budget / --reps.',
    })
  }
  const short = c.samples.filter((s) => s.short).length
  if (short > 0) {
    warnings.push({
      code: 'short',
      ...where,
      message: `${name}: ${short} of ${c.samples.length} repetitions ran shorter than their target duration`,
      hint: 'Timer resolution and start-up costs weigh more in short repetitions; use --full for longer ones.',
    })
  }
  const steal = c.samples.reduce((a, s) => a + (s.stealTicksDelta ?? 0), 0)
  if (steal > 0) {
    warnings.push({
      code: 'steal',
      ...where,
      message: `${name}: the hypervisor below this host took ${steal} ticks of CPU time (steal) during the repetitions`,
      hint: 'This host is itself a VM sharing its CPUs; rerun when the neighbours are idle, or on dedicated cores.',
    })
  }
  if (cpuGap) {
    warnings.push({
      code: 'cpu-differs',
      ...where,
      message: `${name}: every repetition on CPU ${cpuGap.best.cpu} was better than every one on CPU ${cpuGap.worst.cpu} (medians ${sig3Precision(cpuGap.best.median)} and ${sig3Precision(cpuGap.worst.median)}, ${pct(cpuGap.gap)} apart)`,
      hint: "This host's CPUs are not equal (vCPUs on unequal or busier host cores, or hybrid cores). The repetitions walk every CPU, so the median mixes them alike in every run; the spread is the CPUs', not the tier's.",
    })
  }
  const outliers = madOutliers(values)
  const first = values[0]
  if (first !== undefined && values.length >= 3 && outliers.includes(0)) {
    const med = median(values)
    const worse = c.better === 'higher' ? first < med : first > med
    if (worse) {
      warnings.push({
        code: 'first-run-slow',
        ...where,
        message: `${name}: the first repetition (${sig3Precision(first)}) was much worse than the median (${sig3Precision(med)})`,
        hint: 'Cold caches, page faults or CPU frequency ramp-up; the sample is kept, the median is robust to it.',
      })
    }
  }
  const others = outliers.filter((i) => i !== 0).length
  if (others > 0) {
    warnings.push({
      code: 'outliers',
      ...where,
      message: `${name}: ${others} of ${values.length} samples are outliers (modified z-score > 3.5)`,
      hint: 'Something interrupted those repetitions; the median and its CI are robust to a few.',
    })
  }
  return { flags: warnings.map((w) => w.code), warnings }
}

interface CpuMedian {
  readonly cpu: number
  readonly median: number
  readonly values: readonly number[]
}

/**
 * The best and the worst CPU of a walked cell when they differ by at least CPU_DIFFERS and do not
 * overlap at all (each with at least 3 repetitions); undefined otherwise. Pure.
 */
export const cpuDifference = (
  values: readonly number[],
  cpus: readonly number[],
  better: 'higher' | 'lower',
): { best: CpuMedian; worst: CpuMedian; gap: number } | undefined => {
  if (cpus.length < 2) return undefined
  const per: CpuMedian[] = cpus
    .map((cpu, i) => {
      const vs = values.filter((_, k) => k % cpus.length === i)
      return { cpu, median: median(vs), values: vs }
    })
    .filter((x) => x.values.length >= 3)
  if (per.length < 2) return undefined
  const sign = better === 'higher' ? 1 : -1
  const ranked = [...per].sort((a, b) => sign * (b.median - a.median))
  const best = ranked[0]!
  const worst = ranked.at(-1)!
  const gap = Math.abs(best.median / worst.median - 1)
  const apart =
    better === 'higher' ? Math.min(...best.values) > Math.max(...worst.values) : Math.max(...best.values) < Math.min(...worst.values)
  return gap >= CPU_DIFFERS && apart ? { best, worst, gap } : undefined
}
