/**
 * `--relative-to native`: every non-native cell becomes its ratio to native measured in the same run,
 * before the comparison. What moves the whole host between two runs (a slower disk for minutes, a busy
 * neighbour, another vCPU) then cancels, and what is left is the cost of the tier: the question of a
 * team that tests a new QEMU, runtime or tier option rather than the host. A change that slows native
 * as much as the tier (a new host kernel) is, by design, not seen this way.
 *
 * Samples are paired per repetition when the tier was interleaved with native (its k-th sample of a
 * job was taken right after native's k-th, on the same CPU when pinned: TierRun.interleavedWith), or
 * when native ran alongside its group (MetricResult.nativeAlongside, schema 1.1: the pairs are those
 * samples). Otherwise (runs made before 1.1, or native did not start alongside) each sample is divided
 * by native's median, which cancels only what lasted the whole run. The pairing is part of the cell's params, so the two kinds are never
 * compared with each other. Native's own cells leave the series (history) or stay as they are, in
 * absolute terms (compare and gate: `keepNative`). Pure.
 */
import { InputFileError } from '../core/errors.js'
import type { MetricResult, RunReport } from '../core/report.js'
import { computeStats, pairedRatios } from '../stats/sample-summary.js'
import { median } from '../stats/descriptive.js'

export const RELATIVE_UNIT = '× native'
export const PAIRING = { perRepetition: 'native, per repetition', byMedian: 'native median' } as const

const cellOf = (r: MetricResult): string => `${r.job}\u0000${r.metric}`

/** Why the run cannot be compared relative to native at all: it did not include native. */
export const nativeProblem = (run: RunReport): string | undefined =>
  run.tiers.some((t) => t.tier === 'native') ? undefined : 'it has no native tier (run with --tiers native,...)'

/** Throws a one-line input error naming the run when it has no usable native tier. */
export const requireNative = (run: RunReport, name: string): void => {
  const problem = nativeProblem(run)
  if (problem) throw new InputFileError(`--relative-to native: ${name}: ${problem}`)
}

/**
 * The run with each non-native cell as tier/native ratios (unit `× native`, same better direction).
 * A cell whose native counterpart failed, or every cell when native did not complete, fails with that
 * reason (a broken cell in the comparison, not a refusal); a cell native did not measure at all is left
 * out. A run without a native tier loses every cell (callers check nativeProblem first).
 */
export const relativeToNative = (run: RunReport, opts: { readonly keepNative?: boolean } = {}): RunReport => {
  const native = new Map(run.results.filter((r) => r.tier === 'native').map((r) => [cellOf(r), r]))
  const nativeTier = run.tiers.find((t) => t.tier === 'native')
  const nativeDown =
    nativeTier && nativeTier.state !== 'completed'
      ? `native did not complete in this run (${nativeTier.state}${nativeTier.reason ? `: ${nativeTier.reason}` : ''})`
      : undefined
  const interleaved = (tier: string) => run.tiers.find((t) => t.tier === tier)?.interleavedWith?.includes('native') === true
  const results: MetricResult[] = []
  for (const r of run.results) {
    if (r.tier === 'native') {
      if (opts.keepNative) results.push(r)
      continue
    }
    const n = native.get(cellOf(r))
    if (!n && !nativeDown) continue
    const alongside = r.state === 'ok' ? r.nativeAlongside : undefined
    const pairing = interleaved(r.tier) || alongside?.length ? PAIRING.perRepetition : PAIRING.byMedian
    const base = {
      tier: r.tier,
      job: r.job,
      metric: r.metric,
      unit: RELATIVE_UNIT,
      better: r.better,
      params: { ...r.params, relativeTo: pairing },
    }
    if (r.state === 'failed') {
      results.push({ ...base, samples: [], state: 'failed', error: r.error })
      continue
    }
    if (!n || n.state === 'failed' || nativeDown) {
      results.push({
        ...base,
        samples: [],
        state: 'failed',
        error: n?.state === 'failed' ? `native failed in this run: ${n.error}` : (nativeDown as string),
      })
      continue
    }
    const ratios = alongside?.length
      ? pairedRatios(r.samples, alongside)
      : pairing === PAIRING.perRepetition
        ? pairedRatios(r.samples, n.samples)
        : medianRatios(r.samples, n.samples)
    if (ratios.length === 0) {
      results.push({ ...base, samples: [], state: 'failed', error: 'no ratio to native: native samples are 0' })
      continue
    }
    results.push({ ...base, samples: ratios, state: 'ok', stats: computeStats(ratios), flags: [...new Set([...r.flags, ...n.flags])] })
  }
  return { ...run, results }
}

/** Each of the tier's samples ÷ native's median (tiers that did not run interleaved with native). */
export const medianRatios = (tier: readonly number[], native: readonly number[]): number[] => {
  const m = median(native)
  return m > 0 ? tier.map((v) => v / m) : []
}
