/**
 * Was a container job ended by the kernel's OOM killer? Decided from the memory cgroup's own
 * counters, read before and after the request (pure parsing and wording here; cgroups.ts reads the
 * files): v1 `memory.oom_control` (oom_kill, kernel 4.13+) and `memory.failcnt`, v2 `memory.events`
 * (oom_kill, max). An increase of oom_kill is proof; without that counter (old v1 kernels) an agent
 * that died while its cgroup hit the limit is reported as most likely OOM, and says so.
 */

export interface MemoryEvents {
  /** Which file the counters came from, for the failure reason. */
  readonly source: 'memory.oom_control' | 'memory.events'
  /** Processes the OOM killer ended in this cgroup; undefined where the kernel does not count them. */
  readonly oomKills?: number
  /** Times the usage ran into the limit (v1 memory.failcnt + memory.memsw.failcnt, v2 memory.events `max`). */
  readonly limitHits?: number
}

/** `key N` lines (memory.oom_control, memory.events). */
export const keyedCounter = (text: string, key: string): number | undefined => {
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/)
    if (k === key && v !== undefined && /^\d+$/.test(v)) return Number(v)
  }
  return undefined
}

const counter = (text: string): number | undefined => (/^\s*\d+\s*$/.test(text) ? Number(text) : undefined)

/** `memswFailcnt`: memory.memsw.failcnt, where swap is accounted (with memsw = limit, that counter is the one that counts). */
export const parseV1MemoryEvents = (oomControl: string, failcnt: string, memswFailcnt = ''): MemoryEvents => {
  const oomKills = keyedCounter(oomControl, 'oom_kill')
  const hits = [counter(failcnt), counter(memswFailcnt)].filter((n): n is number => n !== undefined)
  const limitHits = hits.length > 0 ? hits.reduce((a, b) => a + b, 0) : undefined
  return { source: 'memory.oom_control', ...(oomKills !== undefined ? { oomKills } : {}), ...(limitHits !== undefined ? { limitHits } : {}) }
}

export const parseV2MemoryEvents = (events: string): MemoryEvents => {
  const oomKills = keyedCounter(events, 'oom_kill')
  const limitHits = keyedCounter(events, 'max')
  return { source: 'memory.events', ...(oomKills !== undefined ? { oomKills } : {}), ...(limitHits !== undefined ? { limitHits } : {}) }
}

export type OomVerdict =
  | { readonly kind: 'oom'; readonly kills: number }
  | { readonly kind: 'likely-oom' }
  | { readonly kind: 'none' }

/**
 * Compare the counters around one request. `agentDied`: the agent's output ended during it. (Its
 * launcher's exit status does not tell the signal: util-linux 2.38 `unshare` exits 1 when its child
 * was killed, so the counters are the evidence.)
 */
export const oomVerdict = (before: MemoryEvents | undefined, after: MemoryEvents | undefined, agentDied: boolean): OomVerdict => {
  if (!before || !after) return { kind: 'none' }
  if (before.oomKills !== undefined && after.oomKills !== undefined) {
    const kills = after.oomKills - before.oomKills
    return kills > 0 ? { kind: 'oom', kills } : { kind: 'none' }
  }
  const hits = (after.limitHits ?? 0) - (before.limitHits ?? 0)
  return agentDied && hits > 0 ? { kind: 'likely-oom' } : { kind: 'none' }
}

export interface OomReasonInput {
  readonly job: string
  readonly verdict: Exclude<OomVerdict, { kind: 'none' }>
  /** container.memory-mib, when set. */
  readonly memoryMiB?: number
  readonly params?: Readonly<Record<string, string | number>>
  readonly before: MemoryEvents
  readonly after: MemoryEvents
  /** How the container ended ("the container ended: unshare exited with code 1"), when the agent died during the job. */
  readonly agentExit?: string
  /** What happens to the rest of the tier's jobs. */
  readonly aftermath?: string
}

/** The failed job's reason: starts with "JOB: out of memory" so a truncated matrix cell still says it. */
export const oomReason = (o: OomReasonInput): string => {
  const size = typeof o.params?.['sizeMb'] === 'number' ? ` (job size sizeMb=${o.params['sizeMb']})` : ''
  const who = o.agentExit ? 'vcwork' : 'a process of the job'
  const evidence = [
    o.agentExit,
    o.verdict.kind === 'oom'
      ? `${o.after.source} oom_kill ${o.before.oomKills} -> ${o.after.oomKills}`
      : `${o.after.source} has no oom_kill counter on this kernel, but the agent died while the limit was hit`,
    o.after.limitHits !== undefined && o.before.limitHits !== undefined && o.after.limitHits > o.before.limitHits
      ? `limit hit ${o.after.limitHits - o.before.limitHits} times`
      : undefined,
  ]
    .filter(Boolean)
    .join('; ')
  const sure = o.verdict.kind === 'oom' ? 'the kernel OOM killer ended' : 'most likely the kernel OOM killer ended'
  const head =
    o.memoryMiB !== undefined
      ? `${o.job}: out of memory: the container's memory limit of ${o.memoryMiB} MiB (--tier-opt container.memory-mib=${o.memoryMiB}) is below what this job needs${size}; ${sure} ${who} in the container's memory cgroup`
      : `${o.job}: out of memory: no container.memory-mib limit was set, yet ${sure} ${who} in the container's memory cgroup${size}: the host itself ran short of memory`
  const fix = o.memoryMiB !== undefined ? ' Raise container.memory-mib (or leave it unset) to measure this job.' : ''
  return `${head} (${evidence}).${fix}${o.aftermath ? ` ${o.aftermath}` : ''}`
}
