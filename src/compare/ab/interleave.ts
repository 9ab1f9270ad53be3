/**
 * The interleaved A/B loop: two open sessions of one tier, each job run one repetition at a time,
 * alternating A,B then B,A (ABBA...), so slow machine drift (thermal, other tenants, page cache)
 * lands on both sides equally instead of on whichever ran second. With `pinCpus`, both repetitions
 * of a pair run on the same CPU and the pairs walk through the CPUs, so where a side runs cancels
 * out as well: two sessions otherwise tend to stay each on "its" CPU, and on a shared VM one vCPU
 * had 25-40% less memory bandwidth than the other (docs/compare.md). Warm-up repetitions are run on
 * both sides and discarded. A failure is data: that side's cells fail with the reason and log tail,
 * the job stops on both sides (there is nothing left to pair), the loop goes on with the next job.
 */
import type { JobRequest, TierSample, TierSession } from '../../core/tier.js'
import { cpuFor } from '../../bench/cpu-walk.js'

export interface AbJob {
  readonly job: string
  readonly params: Readonly<Record<string, string | number>>
}

export type Side = 'A' | 'B'

export interface SideJobResult {
  readonly job: string
  readonly params: Readonly<Record<string, string | number>>
  /** Measured samples in order (warm-up excluded). */
  readonly samples: readonly TierSample[]
  readonly failure?: { readonly reason: string; readonly logTail?: string }
}

export interface AbLoopResult {
  readonly a: readonly SideJobResult[]
  readonly b: readonly SideJobResult[]
  /** The order the repetitions actually ran in, e.g. `cpu.int: AB BA AB` (kept in the report for audit). */
  readonly order: readonly string[]
  readonly interrupted: boolean
}

export interface AbLoopInput {
  readonly a: TierSession
  readonly b: TierSession
  readonly jobs: readonly AbJob[]
  readonly reps: number
  readonly warmup: number
  readonly signal: AbortSignal
  /** Per-job time budget: the loop stops adding repetitions once exceeded (at least `minReps` pairs run). */
  readonly jobBudgetMs?: number
  readonly minReps?: number
  readonly now?: () => number
  readonly progress?: (line: string) => void
  /** CPUs the pairs walk through (host-process tiers only: inside a guest a CPU number means another CPU). */
  readonly pinCpus?: readonly number[]
}

/** Order of the two sides for repetition i (warm-up included): AB, BA, AB, BA ... */
export const orderFor = (i: number): readonly [Side, Side] => (i % 2 === 0 ? ['A', 'B'] : ['B', 'A'])

export const runInterleaved = async (input: AbLoopInput): Promise<AbLoopResult> => {
  const now = input.now ?? (() => performance.now())
  const a: SideJobResult[] = []
  const b: SideJobResult[] = []
  const orderLog: string[] = []
  let interrupted = false
  for (const job of input.jobs) {
    const samples: Record<Side, TierSample[]> = { A: [], B: [] }
    const failure: Partial<Record<Side, { reason: string; logTail?: string }>> = {}
    const pattern: string[] = []
    const started = now()
    const total = input.warmup + input.reps
    for (let i = 0; i < total && !failure.A && !failure.B; i++) {
      if (input.signal.aborted) {
        interrupted = true
        break
      }
      const measured = i - input.warmup
      if (measured >= (input.minReps ?? 3) && input.jobBudgetMs !== undefined && now() - started > input.jobBudgetMs) break
      const order = orderFor(i)
      const cpu = cpuFor(i, input.pinCpus ?? [])
      pattern.push(`${order.join('')}${cpu === undefined ? '' : `@${cpu}`}`)
      for (const side of order) {
        const session = side === 'A' ? input.a : input.b
        const req: JobRequest = { job: job.job, reps: 1, params: cpu === undefined ? job.params : { ...job.params, pinCpu: cpu } }
        const out = await session.run(req, input.signal)
        if (out.kind === 'failed') {
          failure[side] = { reason: out.reason, ...(out.logTail === undefined ? {} : { logTail: out.logTail }) }
          break
        }
        if (i >= input.warmup) samples[side].push(...out.samples)
      }
    }
    orderLog.push(`${job.job}: ${pattern.join(' ')}`)
    const fail = failure.A ? `A failed: ${failure.A.reason}` : failure.B ? `B failed: ${failure.B.reason}` : ''
    input.progress?.(
      `${job.job}: ${samples.A.length}/${samples.B.length} samples${input.warmup ? ` after ${input.warmup} warm-up` : ''} in ${Math.round(now() - started)} ms${fail ? ` — ${fail}` : ''}`,
    )
    const side = (s: Side): SideJobResult => ({
      job: job.job,
      params: job.params,
      samples: samples[s],
      ...(failure[s] ? { failure: failure[s] } : {}),
    })
    a.push(side('A'))
    b.push(side('B'))
    if (interrupted) break
  }
  return { a, b, order: orderLog, interrupted }
}
