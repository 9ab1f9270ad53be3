/**
 * Was a container job ended by the kernel's OOM killer? Decided from the memory cgroup's own
 * counters, read before and after the request (pure parsing and wording here, and `readMemoryEvents`,
 * which every container tier reads them with): v1 `memory.oom_control` (oom_kill, kernel 4.13+) and
 * `memory.failcnt`, v2 `memory.events` (oom_kill, max). An increase of oom_kill is proof; without that
 * counter (old v1 kernels) an agent that died while its cgroup hit the limit is reported as most
 * likely OOM, and says so.
 *
 * The runtime tiers (podman/docker, lxc) do not own their container's cgroup: the runtime creates it
 * and removes it when the container ends. For them the end of this file finds a process's memory
 * cgroup, reads its counters from a directory, and reads the kernel log's OOM-kill records (the
 * evidence that outlives a cgroup the runtime removed).
 */
import { closeSync, constants, openSync, readSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { unifiedCgroupPath, v1CgroupPath } from '../../parse/cgroup.js'
import type { JobOutcome } from '../../core/tier.js'

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
  return {
    source: 'memory.oom_control',
    ...(oomKills !== undefined ? { oomKills } : {}),
    ...(limitHits !== undefined ? { limitHits } : {}),
  }
}

export const parseV2MemoryEvents = (events: string): MemoryEvents => {
  const oomKills = keyedCounter(events, 'oom_kill')
  const limitHits = keyedCounter(events, 'max')
  return { source: 'memory.events', ...(oomKills !== undefined ? { oomKills } : {}), ...(limitHits !== undefined ? { limitHits } : {}) }
}

export type OomVerdict = { readonly kind: 'oom'; readonly kills: number } | { readonly kind: 'likely-oom' } | { readonly kind: 'none' }

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
  /** The tier's memory-mib option, when set. */
  readonly memoryMiB?: number
  /** Whose option it is (`--tier-opt TIER.memory-mib`). @default 'container' */
  readonly tier?: string
  readonly params?: Readonly<Record<string, string | number>>
  /** The counters before and after the job (the evidence, unless `evidence` is given). */
  readonly before?: MemoryEvents
  readonly after?: MemoryEvents
  /**
   * Evidence in place of the counters' before -> after, where they could not be read afterwards (the
   * runtime removed the container's cgroup with the container): e.g. the kernel log's OOM-kill record.
   */
  readonly evidence?: string
  /** How the container ended ("the container ended: unshare exited with code 1"), when the agent died during the job. */
  readonly agentExit?: string
  /** What happens to the rest of the tier's jobs. */
  readonly aftermath?: string
}

type FailedJob = Extract<JobOutcome, { kind: 'failed' }>

/** A failed job the OOM killer is not known to have caused: the agent's failure, how the container ended, what follows. */
export const agentFailure = (
  out: FailedJob,
  o: { readonly agentExit?: string | undefined; readonly unchecked?: string; readonly aftermath?: string | undefined },
): FailedJob => ({
  ...out,
  reason: `${out.reason} (${o.agentExit ?? 'the agent did not answer'}${o.unchecked ?? ''})${o.aftermath ? `. ${o.aftermath}` : ''}`,
})

/** A job the OOM killer ended: the reason names the limit and the evidence (oomReason); the log tail stays. */
export const oomFailure = (out: FailedJob, input: OomReasonInput): FailedJob => ({
  kind: 'failed',
  reason: oomReason(input),
  ...(out.logTail !== undefined ? { logTail: out.logTail } : {}),
})

/** The failed job's reason: starts with "JOB: out of memory" so a truncated matrix cell still says it. */
export const oomReason = (o: OomReasonInput): string => {
  const size = typeof o.params?.['sizeMb'] === 'number' ? ` (job size sizeMb=${o.params['sizeMb']})` : ''
  const who = o.agentExit ? 'vcwork' : 'a process of the job'
  const option = `${o.tier ?? 'container'}.memory-mib`
  const counters =
    o.before && o.after
      ? [
          o.verdict.kind === 'oom'
            ? `${o.after.source} oom_kill ${o.before.oomKills} -> ${o.after.oomKills}`
            : `${o.after.source} has no oom_kill counter on this kernel, but the agent died while the limit was hit`,
          o.after.limitHits !== undefined && o.before.limitHits !== undefined && o.after.limitHits > o.before.limitHits
            ? `limit hit ${o.after.limitHits - o.before.limitHits} times`
            : undefined,
        ]
      : []
  const evidence = [o.agentExit, ...(o.evidence !== undefined ? [o.evidence] : counters)].filter(Boolean).join('; ')
  const sure = o.verdict.kind === 'oom' ? 'the kernel OOM killer ended' : 'most likely the kernel OOM killer ended'
  const head =
    o.memoryMiB !== undefined
      ? `${o.job}: out of memory: the container's memory limit of ${o.memoryMiB} MiB (--tier-opt ${option}=${o.memoryMiB}) is below what this job needs${size}; ${sure} ${who} in the container's memory cgroup`
      : `${o.job}: out of memory: no ${option} limit was set, yet ${sure} ${who} in the container's memory cgroup${size}: the host itself ran short of memory`
  const fix = o.memoryMiB !== undefined ? ` Raise ${option} (or leave it unset) to measure this job.` : ''
  return `${head} (${evidence}).${fix}${o.aftermath ? ` ${o.aftermath}` : ''}`
}

/** How a container launcher ended, for a reason: "podman exited with code 137 (SIGKILL)". */
export const describeExit = (launcher: string, exit: string | undefined): string => {
  if (!exit) return `the container ended`
  const code = /^exited with code (\d+)$/.exec(exit)?.[1]
  const signal = code !== undefined && Number(code) > 128 ? ` (${Number(code) === 137 ? 'SIGKILL' : `signal ${Number(code) - 128}`})` : ''
  return `the container ended: ${launcher} ${exit.startsWith('killed') ? 'was ' : ''}${exit}${signal}`
}

// ---- The runtime tiers' side: finding and reading a container's memory cgroup, the kernel log ----

/** A process's memory cgroup path from /proc/PID/cgroup (pure): the v1 `memory` line, or the v2 `0::` line. */
export const memoryCgroupPath = (procCgroup: string, version: 'v1' | 'v2'): string | undefined =>
  version === 'v1' ? v1CgroupPath(procCgroup, 'memory') : unifiedCgroupPath(procCgroup)

/** Where a live process's memory cgroup is on this host (`mount` is the memory controller's mount point). */
export const memoryCgroupOf = async (
  pid: number,
  home: { readonly version: 'v1' | 'v2'; readonly mount: string },
): Promise<{ readonly dir: string; readonly path: string; readonly version: 'v1' | 'v2' } | undefined> => {
  const text = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '')
  const path = memoryCgroupPath(text, home.version)
  return path === undefined ? undefined : { dir: join(home.mount, path), path, version: home.version }
}

/** The files `readMemoryEvents` reads (a runtime's stop hook copies these before the cgroup goes). */
export const MEMORY_EVENT_FILES = ['memory.oom_control', 'memory.failcnt', 'memory.memsw.failcnt', 'memory.events'] as const

/** A memory cgroup's OOM counters from `dir` (the cgroup, or a copy of its files); undefined when they cannot be read (e.g. it was removed). */
export const readMemoryEvents = async (dir: string, version: 'v1' | 'v2'): Promise<MemoryEvents | undefined> => {
  const read = (file: string) => readFile(join(dir, file), 'utf8')
  try {
    return version === 'v1'
      ? parseV1MemoryEvents(
          await read('memory.oom_control'),
          await read('memory.failcnt').catch(() => ''),
          await read('memory.memsw.failcnt').catch(() => ''),
        )
      : parseV2MemoryEvents(await read('memory.events'))
  } catch {
    return undefined
  }
}

/** One OOM kill the kernel logged. */
export interface KernelOomKill {
  readonly pid: number
  /** The killed task's memory cgroup, from the `oom-kill:` summary (rate-limited by the kernel, so not always there). */
  readonly taskMemcg?: string
  /** The "... Killed process N (comm)" text, cut after the name. */
  readonly text?: string
}

/**
 * OOM kills in kernel log records (pure): `Memory cgroup out of memory: Killed process N (comm) ...`
 * (always logged, before the kill signal is sent) and `oom-kill:...,task_memcg=PATH,task=comm,pid=N,...`.
 * A record may carry /dev/kmsg's `pri,seq,ts,flags;` prefix and continuation lines.
 */
export const parseKernelOomKills = (records: readonly string[]): KernelOomKill[] => {
  const byPid = new Map<number, { taskMemcg?: string; text?: string }>()
  for (const record of records) {
    const first = record.split('\n')[0] ?? ''
    const text = /^\d+,\d+,\d+,[^;]*;/.test(first) ? first.slice(first.indexOf(';') + 1) : first
    const killed = /((?:[\w ]+: )?Killed process (\d+) \([^)]*\))/.exec(text)
    if (killed) {
      const pid = Number(killed[2])
      byPid.set(pid, { ...byPid.get(pid), text: killed[1]!.trim() })
      continue
    }
    if (!text.startsWith('oom-kill:')) continue
    const fields = new Map(
      text
        .slice('oom-kill:'.length)
        .split(',')
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const),
    )
    const pid = Number(fields.get('pid'))
    const taskMemcg = fields.get('task_memcg')
    if (Number.isInteger(pid) && pid > 0 && taskMemcg !== undefined) byPid.set(pid, { ...byPid.get(pid), taskMemcg })
  }
  return [...byPid].map(([pid, k]) => ({ pid, ...k }))
}

/** The kills that hit this container: its agent's pid, or any task in its memory cgroup (path as in /proc/PID/cgroup). */
export const containerOomKills = (
  kills: readonly KernelOomKill[],
  o: { readonly pids: readonly number[]; readonly memcgPath?: string },
): KernelOomKill[] => kills.filter((k) => o.pids.includes(k.pid) || (o.memcgPath !== undefined && k.taskMemcg === o.memcgPath))

/**
 * A reader of the kernel log (/dev/kmsg, root) from "now" on: `drain()` returns the records logged
 * since the last call. Non-blocking, so reads never wait; records the ring buffer overwrote before
 * they were read are skipped (EPIPE).
 */
export interface KernelLog {
  drain(): string[]
  close(): void
}

export const openKernelLog = (): KernelLog | { readonly unavailable: string } => {
  let fd: number
  try {
    fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (e) {
    return { unavailable: `the kernel log (/dev/kmsg) cannot be read here: ${(e as { code?: string }).code ?? String(e)}` }
  }
  const buf = Buffer.alloc(16 * 1024)
  let open = true
  const drain = (): string[] => {
    const records: string[] = []
    for (let i = 0; open && i < 1_000_000; i++) {
      try {
        const n = readSync(fd, buf, 0, buf.length, null)
        if (n === 0) break
        records.push(buf.toString('utf8', 0, n))
      } catch (e) {
        if ((e as { code?: string }).code === 'EPIPE') continue // overwritten before we read it
        break // EAGAIN: nothing more for now
      }
    }
    return records
  }
  drain() // start at the end: only records from now on count
  return {
    drain,
    close: () => {
      if (!open) return
      open = false
      closeSync(fd)
    },
  }
}
