/**
 * The built-in container tier, no daemon: `vcwork agent` as PID 1 of new pid, mount, uts, ipc and net
 * namespaces (and a user namespace when unprivileged), pivot_root'ed into virtcheck's own rootfs, in
 * cgroups with optional limits (v1 or v2). IO jobs use the scratch dir bind-mounted at /scratch; net
 * jobs reach the peer over a veth pair into the container's namespace.
 *
 * Options (--tier-opt container.KEY=VALUE): cpu-quota=<% of one CPU>, memory-mib=<MiB>,
 * pids-max=<n> (default 4096), userns=<true|false> (default: only when not root).
 */
import { join } from 'node:path'
import { UsageError } from '../../core/errors.js'
import type { JobRequest, TierDriver, TierOpenContext, TierSession } from '../../core/tier.js'
import { nativeBinary } from '../../host/paths.js'
import { startAgentProcess } from '../../bench/agent-process.js'
import { groupOverheadRssBytes } from '../../bench/process-rss.js'
import { withTierParams } from '../../bench/job-params.js'
import { jobTimeoutMs } from '../../bench/job-timeout.js'
import { removeScratchFiles } from '../../bench/scratch.js'
import { checkOptionKeys, numberOption } from '../../bench/tier-options.js'
import { createCgroups, type ContainerLimits } from './cgroups.js'
import { containerArgv, GO_LINE } from './launch.js'
import { buildRootfs } from './rootfs.js'

export const CONTAINER_OPTIONS = ['cpu-quota', 'memory-mib', 'pids-max', 'userns'] as const

export interface ContainerSettings {
  readonly limits: ContainerLimits
  readonly userns: boolean
}

export const containerSettings = (ctx: Pick<TierOpenContext, 'options'>, isRoot: boolean): ContainerSettings => {
  checkOptionKeys('container', ctx.options, CONTAINER_OPTIONS)
  const cpuQuotaPct = numberOption('container', ctx.options, 'cpu-quota', { min: 1, max: 100_000 })
  const memoryMiB = numberOption('container', ctx.options, 'memory-mib', { min: 16, max: 1_048_576 })
  const pidsMax = numberOption('container', ctx.options, 'pids-max', { min: 16, max: 4_194_304 }) ?? 4096
  const rawUserns = ctx.options?.['userns']
  if (rawUserns !== undefined && rawUserns !== 'true' && rawUserns !== 'false')
    throw new UsageError(`bench: --tier-opt container.userns must be true or false, got ${JSON.stringify(rawUserns)}`)
  return {
    limits: {
      ...(cpuQuotaPct !== undefined ? { cpuQuotaPct } : {}),
      ...(memoryMiB !== undefined ? { memoryMiB } : {}),
      pidsMax,
    },
    userns: rawUserns === undefined ? !isRoot : rawUserns === 'true',
  }
}

let counter = 0

export const containerDriver: TierDriver = {
  id: 'container',
  async open(ctx: TierOpenContext): Promise<TierSession> {
    const isRoot = process.getuid?.() === 0
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
    const agent = await startAgentProcess(argv, {
      label: 'container',
      cleanup: ctx.cleanup,
      signal: ctx.signal,
      startTimeoutMs: ctx.startTimeoutMs,
      onSpawn: async (pid) => {
        await cgroups?.addPid(pid)
      },
      afterSpawnInput: GO_LINE,
    })
    const undoScratch = ctx.cleanup.add('container: scratch files', () => removeScratchFiles(ctx.scratchDir, 'container'))
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
    const config = {
      runtime: 'virtcheck built-in (unshare + pivot_root)',
      namespaces: `pid,mount,uts,ipc,net${settings.userns ? ',user' : ''}`,
      rootfs: 'busybox-static + vcwork (built by virtcheck)',
      vcworkVersion: agent.version,
      arch: agent.arch,
      network,
      cgroupVersion: cgroups?.cgroupVersion ?? 'not used (unprivileged)',
      cpuQuotaPct: settings.limits.cpuQuotaPct ?? 'none',
      memoryMiB: settings.limits.memoryMiB ?? 'none',
      pidsMax: cgroups ? (settings.limits.pidsMax ?? 'none') : 'none',
      scratch: `${ctx.scratchDir} bind-mounted at /scratch`,
    }
    return {
      tier: 'container',
      config,
      bootMs: agent.bootMs,
      async run(req: JobRequest, signal?: AbortSignal) {
        const full = withTierParams(req, {
          tier: 'container',
          scratchDir: '/scratch',
          ...(peer !== undefined ? { peer } : { peer: { unavailable: 'no network peer in this run' } }),
        })
        if ('kind' in full) return full
        return agent.client.run(full, jobTimeoutMs(full), signal ?? ctx.signal)
      },
      // The runtime beside the workload: `unshare` waiting for PID 1 (the agent's process group minus vcwork).
      overheadRssBytes: () => groupOverheadRssBytes(agent.pid),
      async close() {
        await agent.close()
        await cgroups?.remove()
        await undoScratch()
      },
    }
  },
}
