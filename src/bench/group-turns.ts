/**
 * How the sessions of an interleaved group share the host (src/bench/runner.ts): one request at a
 * time across the group, in the order the tiers send them, and repetition k of a job on CPU k of the
 * walk. No clock of its own and no I/O: it only orders and rewrites requests.
 */
import type { TierSession } from '../core/tier.js'
import { rotateCpu } from './cpu-walk.js'

type Runner = Pick<TierSession, 'run'>

/**
 * A turn queue for one group: each runner it wraps waits until the request before it (of any tier of
 * the group) has ended, so the tiers take turns instead of loading the host together. `onBusy` gets
 * the time each request took itself, without the wait: a tier's own job time.
 */
export const takeTurns = (now: () => number) => {
  let turn: Promise<unknown> = Promise.resolve()
  return (session: Runner, onBusy: (ms: number) => void): Runner => ({
    run: (req, sig) => {
      const mine = turn.then(async () => {
        const s0 = now()
        try {
          return await session.run(req, sig)
        } finally {
          onBusy(now() - s0)
        }
      })
      turn = mine.catch(() => undefined)
      return mine
    },
  })
}

/** Repetition k of this job on CPU rotateCpu(k): the tiers of a group send their k-th requests in one round. */
export const pinnedRunner = (runner: Runner, cpus: readonly number[]): Runner => {
  let round = 0
  return { run: (req, sig) => runner.run({ ...req, params: { ...req.params, pinCpu: rotateCpu(round++, cpus) as number } }, sig) }
}
