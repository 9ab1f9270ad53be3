/**
 * The built-in container tier, no daemon: `vcwork agent` as PID 1 of new pid, mount, uts, ipc and net
 * namespaces (and a user namespace when unprivileged), pivot_root'ed into virtcheck's own rootfs, in
 * cgroups with optional limits (v1 or v2). IO jobs use the scratch dir bind-mounted at /scratch; net
 * jobs reach the peer over a veth pair into the container's namespace.
 *
 * Options (--tier-opt container.KEY=VALUE: cpu-quota, memory-mib, pids-max, userns): container-options.ts.
 *
 * A job that needs more memory than memory-mib (no swap beyond it) is ended by the kernel's cgroup OOM
 * killer; it fails with that reason, proved by the memory cgroup's oom_kill counter (oom.ts). When the
 * agent dies during a job (OOM or otherwise) a fresh container in the same cgroups runs the rest.
 */
import { join } from 'node:path'
import type { JobRequest, TierDriver, TierOpenContext, TierSession } from '../../core/tier.js'
import { nativeBinary } from '../../host/paths.js'
import { agentConfig, startAgentProcess, type AgentProcess } from '../../agent/process.js'
import { AgentStartError } from '../../agent/client.js'
import { groupOverheadRssBytes } from '../../agent/process-rss.js'
import { removeScratchFiles } from '../../agent/scratch.js'
import { createCgroups } from './cgroups.js'
import { containerSettings } from './container-options.js'
import { containerArgv, GO_LINE } from './launch.js'
import { oomVerdict } from './oom.js'
import { runContainerJob, type ContainerJobSpec } from './job-run.js'
import { buildRootfs } from './rootfs.js'
import { RelaunchingContainer } from './relaunch.js'
import { driverFacts } from '../live-facts.js'

let counter = 0

/** One running container: its agent and how it reaches the network peer. */
interface Container {
  readonly agent: AgentProcess
  readonly peer: string | { unavailable: string } | undefined
  readonly network: string
}

export const containerDriver: TierDriver = {
  id: 'container',
  async open(ctx: TierOpenContext): Promise<TierSession> {
    const isRoot = driverFacts(ctx.findings).uid() === 0
    const settings = containerSettings(ctx, isRoot)
    const name = `virtcheck-${process.pid}-ctr${counter++}`
    const rootfs = await buildRootfs(join(ctx.workDir, name), nativeBinary('vcwork'), ctx.cleanup)
    const limited = settings.limits.cpuQuotaPct !== undefined || settings.limits.memoryMiB !== undefined
    if (!isRoot && limited) throw new Error('cgroup limits need root (an unprivileged container cannot create cgroups here)')
    const cgroups = isRoot ? await createCgroups(name, settings.limits, ctx.cleanup) : undefined
    const argv = containerArgv({
      rootfs: rootfs.dir,
      scratch: ctx.scratchDir,
      hostname: 'vc-container',
      userns: settings.userns,
      command: ['/bin/vcwork', 'agent'],
    })
    const memoryMiB = settings.limits.memoryMiB
    /** Start the agent in the cgroups (and attach the network peer): at open, and again after the agent died. */
    const launch = async (): Promise<Container> => {
      const before = await cgroups?.memoryEvents()
      let agent: AgentProcess
      try {
        agent = await startAgentProcess(argv, {
          label: 'container',
          cleanup: ctx.cleanup,
          signal: ctx.signal,
          startTimeoutMs: ctx.startTimeoutMs,
          onSpawn: async (pid) => {
            await cgroups?.addPid(pid)
          },
          afterSpawnInput: GO_LINE,
        })
      } catch (e) {
        const after = await cgroups?.memoryEvents()
        const verdict = oomVerdict(before, after, true)
        if (verdict.kind === 'none' || !before || !after) throw e
        const message =
          `container: out of memory while starting: the kernel OOM killer ended the container's agent` +
          `${memoryMiB !== undefined ? ` under the memory limit of ${memoryMiB} MiB (--tier-opt container.memory-mib=${memoryMiB})` : ''}` +
          ` (${after.source} oom_kill ${before.oomKills ?? '?'} -> ${after.oomKills ?? '?'}): ${e instanceof Error ? e.message : String(e)}`
        throw e instanceof AgentStartError ? new AgentStartError(message, e.logTail) : new Error(message)
      }
      // The gate shell exec'ed `unshare`, which unshared the net namespace itself: its pid names it.
      let peer: string | { unavailable: string } | undefined
      let network = 'none (only lo)'
      if (ctx.network) {
        try {
          const link = await ctx.network.attachVeth({ pid: agent.pid })
          peer = `${link.peerAddress}:${ctx.network.port}`
          network = `veth ${link.ifname} ${link.localAddress}/${link.prefixLength} -> peer namespace ${ctx.network.netns}`
        } catch (e) {
          peer = { unavailable: e instanceof Error ? e.message : String(e) }
        }
      }
      return { agent, peer, network }
    }
    const box = await RelaunchingContainer.start(launch)
    const { agent } = box.current
    const undoScratch = ctx.cleanup.add('container: scratch files', () => removeScratchFiles(ctx.scratchDir, 'container'))
    const config = {
      runtime: 'virtcheck built-in (unshare + pivot_root)',
      namespaces: `pid,mount,uts,ipc,net${settings.userns ? ',user' : ''}`,
      rootfs: 'busybox-static + vcwork (built by virtcheck)',
      ...agentConfig(agent),
      arch: agent.arch,
      network: box.current.network,
      cgroupVersion: cgroups?.cgroupVersion ?? 'not used (unprivileged)',
      cpuQuotaPct: settings.limits.cpuQuotaPct ?? 'none',
      memoryMiB: settings.limits.memoryMiB ?? 'none',
      pidsMax: cgroups ? (settings.limits.pidsMax ?? 'none') : 'none',
      scratch: `${ctx.scratchDir} bind-mounted at /scratch`,
    }
    const job: ContainerJobSpec<Container> = {
      box,
      tier: 'container',
      memoryMiB,
      peer: (cur) => cur.peer ?? { unavailable: 'no network peer in this run' },
      memoryEvents: async () => cgroups?.memoryEvents(),
      // `exit` is the launcher's (the gate shell exec'ed unshare), not vcwork's own status.
      describeExit: (exit) => `the container ended${exit ? `: unshare ${exit.startsWith('killed') ? 'was ' : ''}${exit}` : ''}`,
    }
    return {
      tier: 'container',
      config,
      bootMs: agent.bootMs,
      run: (req: JobRequest, signal?: AbortSignal) => runContainerJob(job, req, signal ?? ctx.signal),
      // The runtime beside the workload: `unshare` waiting for PID 1 (the agent's process group minus vcwork).
      overheadRssBytes: () => groupOverheadRssBytes(box.current.agent.pid),
      async close() {
        await box.current.agent.close()
        await cgroups?.remove()
        await undoScratch()
      },
    }
  },
}
