/**
 * Adaptive repetition of one (tier, job): run the minimum repetitions, then more in small batches
 * until the 95 % CI of the median of EVERY metric of the job is within ±ciTarget of its median, or a
 * budget stops it (max repetitions, the job's time budget, the run's deadline, Ctrl-C). Never runs
 * forever; every raw sample is kept. The policy is pure data, the clock injectable (tests).
 */
import type { JobRequest, TierSample, TierSession } from '../core/tier.js'
import { median } from '../stats/descriptive.js'
import { medianCi95, relativeCiHalfWidth } from '../stats/sample-summary.js'
import type { GateSeat, RoundVote } from './round-gate.js'

export interface AdaptivePolicy {
  readonly minReps: number
  readonly maxReps: number
  /** Relative half-width goal of the median's 95 % CI, e.g. 0.02 for ±2 %. */
  readonly ciTarget: number
  /** Wall-time budget for this job in this tier. */
  readonly jobBudgetMs: number
  /** Absolute time (same clock as `now`) after which no new repetition starts. */
  readonly deadline: number
}

export type StopReason = 'ci-reached' | 'max-reps' | 'job-budget' | 'run-budget' | 'interrupted' | 'failed'

export interface AdaptiveResult {
  /** Every sample, in order, with `rep` renumbered 1..n across batches. */
  readonly samples: readonly TierSample[]
  readonly reps: number
  readonly stop: StopReason
  /** Worst relative CI half-width over the job's metrics at the end. */
  readonly ciHalfWidth: number
  readonly elapsedMs: number
  /** Wall time of the first request (first repetition(s)), for firstJobMs. */
  readonly firstBatchMs?: number
  readonly failure?: { readonly reason: string; readonly logTail?: string }
}

export interface AdaptiveProgress {
  readonly reps: number
  readonly ciHalfWidth: number
  readonly elapsedMs: number
}

type Runner = Pick<TierSession, 'run'>

/** Worst relative CI half-width over all metrics seen (Infinity before there are samples). */
export const worstCiHalfWidth = (samples: readonly TierSample[]): number => {
  const byMetric = new Map<string, number[]>()
  for (const s of samples) byMetric.set(s.metric, [...(byMetric.get(s.metric) ?? []), s.value])
  if (byMetric.size === 0) return Number.POSITIVE_INFINITY
  let worst = 0
  for (const values of byMetric.values()) {
    worst = Math.max(worst, relativeCiHalfWidth({ median: median(values), ci95: medianCi95(values).ci }))
  }
  return worst
}

/** Number of repetitions = samples of the metric seen most often (a job may emit several metrics per rep). */
const repCount = (samples: readonly TierSample[]): number => {
  const counts = new Map<string, number>()
  for (const s of samples) counts.set(s.metric, (counts.get(s.metric) ?? 0) + 1)
  return Math.max(0, ...counts.values())
}

/** Next batch size: grow with n (fewer round trips), bounded by max reps and the time left. */
export const nextBatch = (reps: number, maxReps: number, perRepMs: number, timeLeftMs: number): number => {
  const wanted = Math.max(1, Math.floor(reps / 2))
  const byTime = perRepMs > 0 ? Math.floor(timeLeftMs / perRepMs) : wanted
  return Math.max(0, Math.min(wanted, maxReps - reps, byTime))
}

export const runAdaptive = async (
  session: Runner,
  job: Omit<JobRequest, 'reps'>,
  policy: AdaptivePolicy,
  opts: {
    readonly signal?: AbortSignal
    readonly now?: () => number
    readonly onProgress?: (p: AdaptiveProgress) => void
    /** Size of the first request (1 for a tier's first job, to time the first repetition alone). */
    readonly firstBatch?: number
    /** Upper bound of every request's size (1 when tiers are interleaved repetition by repetition). */
    readonly maxBatch?: number
    /**
     * Clock for the job's own time (elapsed, per-repetition estimate, job budget). Interleaved tiers
     * wait for each other; this clock counts only this tier's requests. The deadline uses `now`.
     */
    readonly jobNow?: () => number
    /**
     * Stop on the CI target only at a multiple of this many repetitions: with repetitions walking the
     * CPUs, a stop mid-walk would weigh one CPU more than the others (their speeds can differ by a third).
     */
    readonly repsMultipleOf?: number
    /**
     * The CI target counts only from this many repetitions on. Unlike minReps, the budgets still stop
     * the job before it: a preference for more pairs must not starve the jobs after it.
     */
    readonly targetFromReps?: number
    /** This tier's seat in its interleaved group (src/bench/round-gate.ts): the group stops together. */
    readonly together?: GateSeat
  } = {},
): Promise<AdaptiveResult> => {
  const now = opts.now ?? (() => performance.now())
  const jobNow = opts.jobNow ?? now
  const cap = (n: number) => Math.min(n, opts.maxBatch ?? n)
  const t0 = jobNow()
  const samples: TierSample[] = []
  let firstBatchMs: number | undefined
  const done = (stop: StopReason, failure?: AdaptiveResult['failure']): AdaptiveResult => ({
    samples,
    reps: repCount(samples),
    stop,
    ciHalfWidth: worstCiHalfWidth(samples),
    elapsedMs: jobNow() - t0,
    ...(firstBatchMs !== undefined ? { firstBatchMs } : {}),
    ...(failure ? { failure } : {}),
  })

  let batch = cap(Math.min(opts.firstBatch ?? policy.minReps, policy.maxReps))
  for (;;) {
    if (opts.signal?.aborted) return done('interrupted')
    if (batch <= 0) break
    if (now() >= policy.deadline) return done('run-budget')
    const started = jobNow()
    const outcome = await session.run({ ...job, reps: batch }, opts.signal)
    if (firstBatchMs === undefined) firstBatchMs = jobNow() - started
    if (outcome.kind === 'failed') {
      // a batch cut short by Ctrl-C did not fail: the repetitions completed before it are the cell
      if (opts.signal?.aborted) return done('interrupted')
      return done('failed', {
        reason: outcome.reason,
        ...(outcome.logTail !== undefined ? { logTail: outcome.logTail } : {}),
      })
    }
    const base = repCount(samples)
    for (const s of outcome.samples) samples.push({ ...s, rep: base + s.rep })
    const reps = repCount(samples)
    const width = worstCiHalfWidth(samples)
    const elapsed = jobNow() - t0
    opts.onProgress?.({ reps, ciHalfWidth: width, elapsedMs: elapsed })
    if (outcome.samples.length === 0) return done('failed', { reason: `${job.job}: the tier returned no samples` })
    const next = decideNext(reps, width, elapsed)
    if (!opts.together) {
      if ('stop' in next) return done(next.stop)
      batch = next.batch
      continue
    }
    const vote: RoundVote =
      'batch' in next ? { kind: 'more' } : next.stop === 'ci-reached' ? { kind: 'satisfied' } : { kind: 'stop', reason: next.stop }
    const group = await opts.together.vote(vote)
    if (group.kind === 'stop') return done(group.reason)
    // the group goes on: a tier already at its target repeats one more walk with the others
    batch = 'batch' in next ? next.batch : cap(Math.max(1, Math.min(opts.repsMultipleOf ?? 1, policy.maxReps - reps)))
  }
  return done('max-reps')

  function decideNext(reps: number, width: number, elapsed: number): { readonly stop: StopReason } | { readonly batch: number } {
    const walk = opts.repsMultipleOf ?? 1
    const shortOfWalk = reps % walk
    const targetCounts = reps >= policy.minReps && reps >= (opts.targetFromReps ?? 0)
    if (targetCounts && width <= policy.ciTarget && shortOfWalk === 0) return { stop: 'ci-reached' }
    // finish the minimum before judging the budget
    if (reps < policy.minReps) return { batch: cap(policy.minReps - reps) }
    if (reps >= policy.maxReps) return { stop: 'max-reps' }
    const perRep = elapsed / Math.max(1, reps)
    const jobLeft = policy.jobBudgetMs - elapsed
    const runLeft = policy.deadline - now()
    if (jobLeft < perRep) return { stop: 'job-budget' }
    if (runLeft < perRep) return { stop: 'run-budget' }
    // CI reached mid-walk, or before it counts: the rest of the walk (a whole one at its end); otherwise grow as usual
    const finishWalk = width <= policy.ciTarget
    return {
      batch: cap(
        finishWalk
          ? Math.min(walk - shortOfWalk, policy.maxReps - reps)
          : nextBatch(reps, policy.maxReps, perRep, Math.min(jobLeft, runLeft)),
      ),
    }
  }
}
