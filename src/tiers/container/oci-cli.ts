/**
 * Docker and podman share one shape: a CLI that runs `/bin/vcwork agent` from virtcheck's own rootfs
 * (podman: `--rootfs`; docker: an image imported locally from that rootfs — never a registry pull),
 * with `--network none` (the peer's veth is attached to the container's pid afterwards; never the
 * default bridge), the scratch dir bind-mounted at /scratch and optional limits.
 *
 * Options (--tier-opt docker|podman.KEY=VALUE): cpu-quota=<% of one CPU>, memory-mib=<MiB>, pids-max=<n>.
 */
import { join } from 'node:path'
import type { JobRequest, TierDriver, TierId, TierOpenContext, TierSession } from '../../core/tier.js'
import { nativeBinary } from '../../host/paths.js'
import { startAgentProcess } from '../../bench/agent-process.js'
import { withTierParams } from '../../bench/job-params.js'
import { jobTimeoutMs } from '../../bench/job-timeout.js'
import { groupOverheadRssBytes } from '../../bench/process-rss.js'
import { removeScratchFiles } from '../../bench/scratch.js'
import { parseLimitOptions } from './limit-options.js'
import { cmd } from '../../net/ip-command.js'
import { buildRootfs } from './rootfs.js'

export interface OciCliSpec {
  readonly id: Extract<TierId, 'docker' | 'podman'>
  readonly binary: string
  /** Runtime-wide flags before `run` (podman: --runtime runc --cgroup-manager cgroupfs). */
  readonly globalFlags: readonly string[]
  /** Flags for `run` that point at the rootfs/image, plus runtime-specific workarounds. */
  prepare(ctx: TierOpenContext, rootfs: string, name: string): Promise<{ readonly source: readonly string[]; readonly notes: Record<string, string> }>
}

export const limitFlags = (l: { cpuQuotaPct?: number | undefined; memoryMiB?: number | undefined; pidsMax: number }): string[] => [
  ...(l.cpuQuotaPct !== undefined ? ['--cpus', (l.cpuQuotaPct / 100).toFixed(2)] : []),
  ...(l.memoryMiB !== undefined ? ['--memory', `${l.memoryMiB}m`, '--memory-swap', `${l.memoryMiB}m`] : []),
  '--pids-limit',
  String(l.pidsMax),
]

let counter = 0

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
    ctx.cleanup.add(`${spec.id} container ${name}`, async () => void (await cmd([spec.binary, ...G, 'rm', '-f', name], 20_000)))
    const argv = [
      spec.binary,
      ...G,
      'run',
      '--rm',
      '-i',
      '--name',
      name,
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
    const agent = await startAgentProcess(argv, { label: spec.id, cleanup: ctx.cleanup, signal: ctx.signal, startTimeoutMs: ctx.startTimeoutMs })
    const undoScratch = ctx.cleanup.add(`${spec.id}: scratch files`, () => removeScratchFiles(ctx.scratchDir, spec.id))
    let peer: string | { unavailable: string } = { unavailable: 'no network peer in this run' }
    let network = 'none (only lo)'
    if (ctx.network) {
      const info = await cmd([spec.binary, ...G, 'inspect', '-f', '{{.State.Pid}}', name])
      const pid = Number(info.stdout.trim())
      if (info.ok && Number.isInteger(pid) && pid > 0) {
        try {
          const link = await ctx.network.attachVeth({ pid })
          peer = `${link.peerAddress}:${ctx.network.port}`
          network = `none + veth ${link.ifname} ${link.localAddress}/${link.prefixLength} -> peer namespace ${ctx.network.netns}`
        } catch (e) {
          peer = { unavailable: e instanceof Error ? e.message : String(e) }
        }
      } else peer = { unavailable: `${spec.binary} inspect found no pid: ${info.stderr.trim()}` }
    }
    return {
      tier: spec.id,
      config: {
        runtime: spec.id,
        runtimeVersion: (version.ok ? version.stdout : clientOnly.stdout).trim(),
        vcworkVersion: agent.version,
        network,
        cpuQuotaPct: cpuQuotaPct ?? 'none',
        memoryMiB: memoryMiB ?? 'none',
        pidsMax,
        ...prepared.notes,
      },
      bootMs: agent.bootMs,
      async run(req: JobRequest, signal?: AbortSignal) {
        const full = withTierParams(req, { tier: spec.id, scratchDir: '/scratch', peer })
        if ('kind' in full) return full
        return agent.client.run(full, jobTimeoutMs(full), signal ?? ctx.signal)
      },
      // The CLI client in the agent's process group; the daemon/conmon/shim run elsewhere and are not counted.
      overheadRssBytes: () => groupOverheadRssBytes(agent.pid),
      async close() {
        await agent.close()
        await undoScratch()
      },
    }
  },
})
