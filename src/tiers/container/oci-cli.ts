/**
 * Docker and podman share one shape: a CLI that runs `/bin/vcwork agent` from virtcheck's own rootfs
 * (podman: `--rootfs`; docker: an image imported locally from that rootfs — never a registry pull),
 * with `--network none` (the peer's veth is attached to the container's pid afterwards; never the
 * default bridge), the scratch dir bind-mounted at /scratch and optional limits (a memory limit
 * includes swap: `--memory-swap` = `--memory`, none beyond it).
 *
 * Options (--tier-opt docker|podman.KEY=VALUE): cpu-quota=<% of one CPU>, memory-mib=<MiB>, pids-max=<n>.
 *
 * Out of memory, as the built-in container: the container's memory cgroup (found from the agent's
 * /proc/PID/cgroup) has its OOM counters read before and after each job (oom.ts). The runtime removes
 * that cgroup with the container (`--rm`, and `runc delete` in any case) before the CLI exits, so when
 * the agent died its counters are gone; then the kernel log's OOM-kill record for the agent's pid (or
 * a task in that cgroup) is the evidence. When the agent died during a job (OOM or otherwise) a fresh
 * container runs the rest.
 */
import { runMarkLabels } from '../../host/run-mark.js'
import { join } from 'node:path'
import type { JobRequest, TierDriver, TierId, TierOpenContext, TierSession } from '../../core/tier.js'
import { nativeBinary } from '../../host/paths.js'
import { agentConfig, startAgentProcess, type AgentProcess } from '../../agent/process.js'
import { withTierParams } from '../../agent/job-plumbing.js'
import { jobTimeoutMs } from '../../agent/job-timeout.js'
import { groupOverheadRssBytes } from '../../agent/process-rss.js'
import { removeScratchFiles } from '../../agent/scratch.js'
import { parseLimitOptions } from './limit-options.js'
import { cmd } from '../../net/ip-command.js'
import { controllerHome } from './cgroup-layout.js'
import { readCgroupLayout } from './cgroups.js'
import {
  agentFailure,
  containerOomKills,
  describeExit,
  memoryCgroupOf,
  oomFailure,
  type OomVerdict,
  oomVerdict,
  openKernelLog,
  parseKernelOomKills,
  readMemoryEvents,
} from './oom.js'
import { buildRootfs } from './rootfs.js'
import { RelaunchingContainer } from './relaunch.js'

export interface OciCliSpec {
  readonly id: Extract<TierId, 'docker' | 'podman'>
  readonly binary: string
  /** Runtime-wide flags before `run` (podman: --runtime runc --cgroup-manager cgroupfs). */
  readonly globalFlags: readonly string[]
  /** Flags for `run` that point at the rootfs/image, plus runtime-specific workarounds. */
  prepare(
    ctx: TierOpenContext,
    rootfs: string,
    name: string,
  ): Promise<{
    readonly source: readonly string[]
    readonly notes: Record<string, string>
    /** Put before the CLI in the `run` argv (podman: `setarch -R`, see podman.ts). */
    readonly launcher?: readonly string[]
  }>
}

export const limitFlags = (l: { cpuQuotaPct?: number | undefined; memoryMiB?: number | undefined; pidsMax: number }): string[] => [
  ...(l.cpuQuotaPct !== undefined ? ['--cpus', (l.cpuQuotaPct / 100).toFixed(2)] : []),
  ...(l.memoryMiB !== undefined ? ['--memory', `${l.memoryMiB}m`, '--memory-swap', `${l.memoryMiB}m`] : []),
  '--pids-limit',
  String(l.pidsMax),
]

let counter = 0

/** One running container. */
interface Container {
  readonly name: string
  readonly agent: AgentProcess
  /** The agent's pid on the host (the container's init), when the runtime told it. */
  readonly initPid?: number
  readonly peer: string | { unavailable: string }
  readonly network: string
  /** Its memory cgroup (the runtime's), or why it is not known. */
  readonly memcg: { readonly dir: string; readonly path: string; readonly version: 'v1' | 'v2' } | { readonly unknown: string }
}

/** How long a failed job waits for a dead container's exit status (the CLI's). */
const AGENT_EXIT_WAIT_MS = 2_000
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())

export const ociCliDriver = (spec: OciCliSpec): TierDriver => ({
  id: spec.id,
  async open(ctx: TierOpenContext): Promise<TierSession> {
    const { cpuQuotaPct, memoryMiB, pidsMax } = parseLimitOptions(spec.id, ctx.options)
    const version = await cmd([spec.binary, ...spec.globalFlags, 'version', '--format', '{{.Server.Version}}'], 8_000)
    const clientOnly = spec.id === 'podman' ? await cmd([spec.binary, '--version'], 8_000) : version
    if (!version.ok && !(spec.id === 'podman' && clientOnly.ok))
      throw new Error(`${spec.binary} does not work here: ${(version.stderr || 'not installed').trim().split('\n').slice(-2).join(' ')}`)
    const name = `virtcheck-${process.pid}-${spec.id}${counter++}`
    const rootfs = await buildRootfs(join(ctx.workDir, name, 'rootfs'), nativeBinary('vcwork'), ctx.cleanup)
    const prepared = await spec.prepare(ctx, rootfs.dir, name)
    const G = spec.globalFlags
    const memoryHome = controllerHome(await readCgroupLayout(), 'memory')
    // The kernel log from now on: the OOM evidence that outlives the cgroup the runtime removes.
    const kernelLog = openKernelLog()
    if (!('unavailable' in kernelLog)) ctx.cleanup.add(`${spec.id}: kernel log reader`, async () => kernelLog.close())
    let launches = 0
    /** Start a container (at open, and again after the agent died): its agent, memory cgroup and network peer. */
    const launch = async (): Promise<Container> => {
      // Each container gets its own name: the dead one's removal may still be finishing.
      const ctName = launches++ === 0 ? name : `${name}-${launches}`
      ctx.cleanup.add(`${spec.id} container ${ctName}`, async () => void (await cmd([spec.binary, ...G, 'rm', '-f', ctName], 20_000)))
      const argv = [
        ...(prepared.launcher ?? []),
        spec.binary,
        ...G,
        'run',
        '--rm',
        '-i',
        '--name',
        ctName,
        // the run's mark, so that `virtcheck cleanup` can tell a crashed run's container from a live one's
        ...runMarkLabels(),
        '--network',
        'none',
        '--hostname',
        `vc-${spec.id}`,
        '-v',
        `${ctx.scratchDir}:/scratch`,
        ...limitFlags({ cpuQuotaPct, memoryMiB, pidsMax }),
        ...prepared.source,
        '/bin/vcwork',
        'agent',
      ]
      // In the tier's work folder: conmon leaves an `oom` marker in its working directory after an
      // OOM kill (seen with podman 4.3), which must not land in the user's current directory.
      const agent = await startAgentProcess(argv, {
        label: spec.id,
        cleanup: ctx.cleanup,
        signal: ctx.signal,
        startTimeoutMs: ctx.startTimeoutMs,
        cwd: join(ctx.workDir, name),
      })
      const info = await cmd([spec.binary, ...G, 'inspect', '-f', '{{.State.Pid}}', ctName])
      const pid = Number(info.stdout.trim())
      const initPid = info.ok && Number.isInteger(pid) && pid > 0 ? pid : undefined
      let memcg: Container['memcg'] = { unknown: 'no memory cgroup controller on this host' }
      if (memoryHome && initPid !== undefined)
        memcg = (await memoryCgroupOf(initPid, memoryHome)) ?? {
          unknown: `the memory cgroup of the container's init (pid ${initPid}) was not found`,
        }
      else if (memoryHome) memcg = { unknown: `${spec.binary} inspect found no pid: ${info.stderr.trim()}` }
      let peer: string | { unavailable: string } = { unavailable: 'no network peer in this run' }
      let network = 'none (only lo)'
      if (ctx.network) {
        if (initPid !== undefined) {
          try {
            const link = await ctx.network.attachVeth({ pid: initPid })
            peer = `${link.peerAddress}:${ctx.network.port}`
            network = `none + veth ${link.ifname} ${link.localAddress}/${link.prefixLength} -> peer namespace ${ctx.network.netns}`
          } catch (e) {
            peer = { unavailable: e instanceof Error ? e.message : String(e) }
          }
        } else peer = { unavailable: `${spec.binary} inspect found no pid: ${info.stderr.trim()}` }
      }
      return { name: ctName, agent, ...(initPid !== undefined ? { initPid } : {}), peer, network, memcg }
    }
    const box = await RelaunchingContainer.start(launch)
    const { agent } = box.current
    const undoScratch = ctx.cleanup.add(`${spec.id}: scratch files`, () => removeScratchFiles(ctx.scratchDir, spec.id))
    return {
      tier: spec.id,
      config: {
        runtime: spec.id,
        runtimeVersion: (version.ok ? version.stdout : clientOnly.stdout).trim(),
        ...agentConfig(agent),
        network: box.current.network,
        cpuQuotaPct: cpuQuotaPct ?? 'none',
        memoryMiB: memoryMiB ?? 'none',
        pidsMax,
        oomEvidence:
          "memory cgroup oom_kill counter before/after each job; kernel log OOM-kill record once the runtime removed a dead container's cgroup" +
          ('unavailable' in kernelLog ? ` (${kernelLog.unavailable})` : ''),
        ...prepared.notes,
      },
      bootMs: agent.bootMs,
      async run(req: JobRequest, signal?: AbortSignal) {
        const cur = box.current
        const full = withTierParams(req, { tier: spec.id, scratchDir: '/scratch', peer: cur.peer })
        if ('kind' in full) return full
        if (box.lost !== undefined) return { kind: 'failed', reason: `${req.job}: ${box.lost}` }
        const sig = signal ?? ctx.signal
        const memcg = 'dir' in cur.memcg ? cur.memcg : undefined
        const before = memcg ? await readMemoryEvents(memcg.dir, memcg.version) : undefined
        if (!('unavailable' in kernelLog)) kernelLog.drain() // only what this job's time logs counts
        const out = await cur.agent.client.run(full, jobTimeoutMs(full), sig)
        if (out.kind === 'ok') return out
        // A failed job: did the agent die (its stream ended), and did the OOM killer act in its cgroup?
        const died = cur.agent.client.ended !== undefined
        const exit = died ? await Promise.race([cur.agent.exited, sleep(AGENT_EXIT_WAIT_MS).then(() => undefined)]) : undefined
        const after = memcg ? await readMemoryEvents(memcg.dir, memcg.version) : undefined
        let verdict: OomVerdict = oomVerdict(before, after, died)
        let evidence: string | undefined
        let unchecked = ''
        if (verdict.kind === 'none' && !after) {
          // The counters went with the cgroup (or were never found): the kernel log is the evidence.
          if ('unavailable' in kernelLog)
            unchecked = `; whether the OOM killer was involved is unknown: ${memcg ? 'its memory cgroup was removed with it and ' : ''}${kernelLog.unavailable}`
          else {
            const kills = containerOomKills(parseKernelOomKills(kernelLog.drain()), {
              pids: cur.initPid !== undefined ? [cur.initPid] : [],
              ...(memcg ? { memcgPath: memcg.path } : {}),
            })
            if (kills.length > 0) {
              verdict = { kind: 'oom', kills: kills.length }
              const record =
                kills.find((k) => k.text)?.text ?? `oom-kill of pid ${kills[0]!.pid} in ${kills[0]!.taskMemcg ?? 'its memory cgroup'}`
              evidence = [
                before?.oomKills !== undefined ? `${before.source} oom_kill was ${before.oomKills} before the job` : undefined,
                `${spec.binary} removed the container's memory cgroup with it, so the kernel log is the evidence: "${record}"`,
              ]
                .filter(Boolean)
                .join('; ')
            } else if (cur.initPid === undefined && !memcg)
              unchecked = `; whether the OOM killer was involved is unknown: ${'unknown' in cur.memcg ? cur.memcg.unknown : ''}`
            else if (died) unchecked = '; the kernel log records no OOM kill in this container'
          }
        }
        if (!died && verdict.kind === 'none') return out
        const agentExit = died ? describeExit(spec.binary, exit) : undefined
        const why = verdict.kind === 'none' ? `the agent died in ${req.job}` : `out of memory in ${req.job}`
        const aftermath = died ? await box.relaunch(cur, why, sig) : undefined
        if (verdict.kind === 'none') {
          return agentFailure(out, { agentExit, unchecked, aftermath })
        }
        return oomFailure(out, {
          job: req.job,
          verdict,
          tier: spec.id,
          ...(memoryMiB !== undefined ? { memoryMiB } : {}),
          params: full.params,
          ...(before ? { before } : {}),
          ...(after ? { after } : {}),
          ...(evidence !== undefined ? { evidence } : {}),
          ...(agentExit ? { agentExit } : {}),
          ...(aftermath ? { aftermath } : {}),
        })
      },
      // The CLI client in the agent's process group; the daemon/conmon/shim run elsewhere and are not counted.
      overheadRssBytes: () => groupOverheadRssBytes(box.current.agent.pid),
      async close() {
        await box.current.agent.close()
        if (!('unavailable' in kernelLog)) kernelLog.close()
        await undoScratch()
      },
    }
  },
})
