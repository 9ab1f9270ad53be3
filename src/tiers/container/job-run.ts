/**
 * One job in a container tier whose agent may die (built-in container, lxc): run it, and when it
 * failed, tell whether the agent died and whether the memory cgroup's OOM killer acted (oom.ts), start
 * a fresh container for the jobs still to come (relaunch.ts), and word the failure. What differs per
 * tier (where the OOM counters are read, how the launcher's exit is described, why the counters are
 * unknown) comes in as functions.
 */
import type { JobOutcome, JobRequest } from '../../core/tier.js'
import type { AgentProcess } from '../../agent/process.js'
import { withTierParams, type TierPlumbing } from '../../agent/job-plumbing.js'
import { jobTimeoutMs } from '../../agent/job-timeout.js'
import { agentFailure, oomFailure, oomVerdict, type MemoryEvents } from './oom.js'
import type { RelaunchingContainer } from './relaunch.js'

/** How long a failed job waits for a dead container's exit status (its launcher's, for the reason). */
const AGENT_EXIT_WAIT_MS = 2_000
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())

export interface ContainerJobSpec<C extends { readonly agent: AgentProcess }> {
  readonly box: RelaunchingContainer<C>
  /** The tier's id: the job's plumbing and the `--tier-opt TIER.memory-mib` of an OOM reason. */
  readonly tier: string
  /** The tier's memory-mib option, when set. */
  readonly memoryMiB: number | undefined
  /** The network peer of this container, or why there is none. */
  readonly peer: (cur: C) => NonNullable<TierPlumbing['peer']>
  /** The memory cgroup's OOM counters before the job, and after it (`died`: the agent's stream ended). */
  readonly memoryEvents: (cur: C, when: 'before' | { readonly died: boolean }) => Promise<MemoryEvents | undefined>
  /** How the container ended, from its launcher's exit (undefined: not known in time). */
  readonly describeExit: (exit: string | undefined) => string
  /** Said after the agent's failure when no OOM kill is proved: why the OOM killer's part is unknown ('' when it is known). */
  readonly unchecked?: (cur: C, before: MemoryEvents | undefined, after: MemoryEvents | undefined) => string
}

export const runContainerJob = async <C extends { readonly agent: AgentProcess }>(
  spec: ContainerJobSpec<C>,
  req: JobRequest,
  sig: AbortSignal,
): Promise<JobOutcome> => {
  const { box } = spec
  const cur = box.current
  const full = withTierParams(req, { tier: spec.tier, scratchDir: '/scratch', peer: spec.peer(cur) })
  if ('kind' in full) return full
  if (box.lost !== undefined) return { kind: 'failed', reason: `${req.job}: ${box.lost}` }
  const before = await spec.memoryEvents(cur, 'before')
  const out = await cur.agent.client.run(full, jobTimeoutMs(full), sig)
  if (out.kind === 'ok') return out
  // A failed job: did the agent die (its stream ended), and did the cgroup's OOM killer act?
  const died = cur.agent.client.ended !== undefined
  const exit = died ? await Promise.race([cur.agent.exited, sleep(AGENT_EXIT_WAIT_MS).then(() => undefined)]) : undefined
  const after = await spec.memoryEvents(cur, { died })
  const verdict = oomVerdict(before, after, died)
  if (!died && verdict.kind === 'none') return out
  const agentExit = died ? spec.describeExit(exit) : undefined
  const why = verdict.kind === 'none' ? `the agent died in ${req.job}` : `out of memory in ${req.job}`
  const aftermath = died ? await box.relaunch(cur, why, sig) : undefined
  if (verdict.kind === 'none' || !before || !after) {
    const unchecked = spec.unchecked?.(cur, before, after)
    return agentFailure(out, { agentExit, ...(unchecked !== undefined ? { unchecked } : {}), aftermath })
  }
  return oomFailure(out, {
    job: req.job,
    verdict,
    tier: spec.tier,
    ...(spec.memoryMiB !== undefined ? { memoryMiB: spec.memoryMiB } : {}),
    params: full.params,
    before,
    after,
    ...(agentExit ? { agentExit } : {}),
    ...(aftermath ? { aftermath } : {}),
  })
}
