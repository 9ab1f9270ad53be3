import type { JobOutcome, JobRequest, TierSample, TierSession, TierId } from '../../src/core/tier.js'

/** A deterministic fake tier session: values come from a function of (job, global rep). */
export const fakeSession = (
  tier: TierId,
  value: (job: string, rep: number) => number,
  opts: { msPerRep?: number; clock?: { t: number }; failJobs?: string[]; metrics?: string[] } = {},
): TierSession & { requests: JobRequest[]; closed: boolean } => {
  const requests: JobRequest[] = []
  const counts = new Map<string, number>()
  const s = {
    tier,
    config: { runtime: 'fake' },
    bootMs: 5,
    requests,
    closed: false,
    async run(req: JobRequest, signal?: AbortSignal): Promise<JobOutcome> {
      requests.push(req)
      if (signal?.aborted) return { kind: 'failed', reason: 'interrupted' }
      if (opts.failJobs?.includes(req.job)) return { kind: 'failed', reason: `${req.job}: boom`, logTail: 'fake tail' }
      const samples: TierSample[] = []
      for (let r = 1; r <= req.reps; r++) {
        const n = (counts.get(req.job) ?? 0) + 1
        counts.set(req.job, n)
        if (opts.clock) opts.clock.t += opts.msPerRep ?? 100
        for (const metric of opts.metrics ?? ['ops'])
          samples.push({
            job: req.job,
            metric,
            unit: 'op/s',
            better: 'higher',
            value: value(req.job, n),
            rep: r,
            durationMs: opts.msPerRep ?? 100,
            short: false,
          })
      }
      return { kind: 'ok', samples }
    },
    overheadRssBytes: async () => 1234,
    async close() {
      s.closed = true
    },
  }
  return s
}
