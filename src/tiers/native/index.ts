/**
 * The native tier: `vcwork agent` as a plain child process on the host. The baseline every other
 * tier's ratio is computed against.
 *
 * As root it runs in cgroups of its own (cpu, memory, pids; no limits), placed as the built-in
 * container's are: a process left in the caller's cgroups competes for the CPU as part of whatever
 * else shares them, while the container's fresh top-level cgroup gets a whole share of its own, and
 * on a busy host that made the container look faster than native (measured: cpu.int 1.3-2.0x in 8 of
 * 8 alternating pairs on one CPU, docs/fidelity.md). Both arms now stand in the same place.
 */
import { readFile } from 'node:fs/promises'
import type { JobRequest, TierDriver, TierOpenContext, TierSession } from '../../core/tier.js'
import { nativeBinary } from '../../host/paths.js'
import { agentConfig, startAgentProcess } from '../../agent/process.js'
import { jobTimeoutMs } from '../../agent/job-timeout.js'
import { checkOptionKeys } from '../option-checks.js'
import { withTierParams } from '../../agent/job-plumbing.js'
import { removeScratchFiles } from '../../agent/scratch.js'
import { startLoopbackPeer } from '../../net/loopback-peer.js'
import { needsPeer } from '../../../workloads/index.js'
import { createCgroups } from '../container/cgroups.js'
import { driverFacts } from '../live-facts.js'

const readTrim = async (path: string): Promise<string | undefined> => {
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch {
    return undefined
  }
}

/** Facts that change native numbers and belong in the result (governor, clocksource, THP). */
export const hostTuningConfig = async (): Promise<Record<string, string>> => {
  const governor = await readTrim('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor')
  const clocksource = await readTrim('/sys/devices/system/clocksource/clocksource0/current_clocksource')
  const thp = await readTrim('/sys/kernel/mm/transparent_hugepage/enabled')
  return {
    cpuGovernor: governor ?? 'not exposed',
    ...(clocksource ? { clocksource } : {}),
    ...(thp ? { transparentHugepages: thp.match(/\[(\w+)\]/)?.[1] ?? thp } : {}),
  }
}

let sessions = 0

export const nativeDriver: TierDriver = {
  id: 'native',
  async open(ctx: TierOpenContext): Promise<TierSession> {
    checkOptionKeys('native', ctx.options, [])
    // one name per session: `ab` opens two native sessions in one process
    const cgroups =
      driverFacts(ctx.findings).uid() === 0
        ? await createCgroups(`virtcheck-${process.pid}-native${sessions++}`, {}, ctx.cleanup)
        : undefined
    let agent: Awaited<ReturnType<typeof startAgentProcess>>
    try {
      agent = await startAgentProcess([nativeBinary('vcwork'), 'agent'], {
        label: 'native',
        cleanup: ctx.cleanup,
        signal: ctx.signal,
        startTimeoutMs: ctx.startTimeoutMs,
        cwd: ctx.scratchDir,
        ...(cgroups ? { onSpawn: (pid: number) => cgroups.addPid(pid) } : {}),
      })
    } catch (e) {
      await cgroups?.remove()
      throw e
    }
    const config = {
      runtime: 'host process',
      cgroup: cgroups ? `own, no limits (${cgroups.cgroupVersion}), placed like the container's` : "the caller's (not root)",
      ...agentConfig(agent),
      arch: agent.arch,
      ...(await hostTuningConfig()),
    }
    // The native network path is loopback: the peer runs on 127.0.0.1 in the host's namespace,
    // started on the first net job (nothing is configured, nothing leaves the host).
    let peer: Promise<string | { unavailable: string }> | undefined
    const undoScratch = ctx.cleanup.add('native: scratch files', () => removeScratchFiles(ctx.scratchDir, 'native'))
    const peerAddress = () =>
      (peer ??= startLoopbackPeer(ctx.cleanup, { maxSeconds: 3600, log: ctx.log }).then(
        (p) => p.address,
        (e: unknown) => ({ unavailable: e instanceof Error ? e.message : String(e) }),
      ))
    return {
      tier: 'native',
      config: { ...config, network: 'loopback (127.0.0.1)', scratchDir: ctx.scratchDir },
      bootMs: agent.bootMs,
      async run(req: JobRequest, signal?: AbortSignal) {
        const full = withTierParams(req, {
          tier: 'native',
          scratchDir: ctx.scratchDir,
          ...(needsPeer(req.job) ? { peer: await peerAddress() } : {}),
        })
        if ('kind' in full) return full
        return agent.client.run(full, jobTimeoutMs(full), signal ?? ctx.signal)
      },
      // Nothing runs beside the workload natively.
      overheadRssBytes: async () => 0,
      async close() {
        await agent.close()
        await undoScratch()
        await cgroups?.remove()
      },
    }
  },
}
