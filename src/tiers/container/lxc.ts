/**
 * The lxc tier: `lxc-execute` of virtcheck's own rootfs with a generated config (no template, no
 * image download). Network type `empty` (own namespace, only lo); the peer's veth is attached to the
 * container's init by pid. Limits through lxc.cgroup (v1) or lxc.cgroup2 keys.
 *
 * Options (--tier-opt lxc.KEY=VALUE): cpu-quota, memory-mib, pids-max (as the built-in container).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { JobRequest, TierDriver, TierOpenContext, TierSession } from '../../core/tier.js'
import { nativeBinary } from '../../host/paths.js'
import { startAgentProcess } from '../../bench/agent-process.js'
import { withTierParams } from '../../bench/job-params.js'
import { jobTimeoutMs } from '../../bench/job-timeout.js'
import { groupOverheadRssBytes } from '../../bench/process-rss.js'
import { removeScratchFiles } from '../../bench/scratch.js'
import { parseLimitOptions } from './limit-options.js'
import { cmd } from '../../net/ip-command.js'
import { controllerHome, limitWrites, type CgroupLayout } from './cgroup-layout.js'
import { readCgroupLayout, removeNewRuntimeCgroups, type ContainerLimits } from './cgroups.js'
import { buildRootfs } from './rootfs.js'

/** The lxc config text (pure). */
export const lxcConfig = (o: { name: string; rootfs: string; scratch: string; limits: ContainerLimits; layout: CgroupLayout }): string => {
  const lines = [
    `lxc.uts.name = vc-lxc`,
    `lxc.rootfs.path = dir:${o.rootfs}`,
    'lxc.net.0.type = empty',
    'lxc.apparmor.profile = unconfined',
    'lxc.mount.auto = proc:rw sys:ro',
    'lxc.autodev = 1',
    `lxc.mount.entry = ${o.scratch} scratch none bind,create=dir 0 0`,
  ]
  for (const c of ['cpu', 'memory', 'pids'] as const) {
    const home = controllerHome(o.layout, c)
    if (!home) continue
    for (const [file, value] of limitWrites(c, home.version, o.limits)) lines.push(`lxc.cgroup${home.version === 'v2' ? '2' : ''}.${file} = ${value}`)
  }
  return lines.join('\n') + '\n'
}

let counter = 0

export const lxcDriver: TierDriver = {
  id: 'lxc',
  async open(ctx: TierOpenContext): Promise<TierSession> {
    const limits = parseLimitOptions('lxc', ctx.options)
    const { cpuQuotaPct, memoryMiB, pidsMax } = limits
    const version = await cmd(['lxc-execute', '--version'])
    if (!version.ok) throw new Error(`lxc-execute is not available: ${version.stderr.trim() || 'not installed'}`)
    const name = `virtcheck-${process.pid}-lxc${counter++}`
    const base = join(ctx.workDir, name)
    const lxcPath = join(base, 'lxcpath')
    await mkdir(lxcPath, { recursive: true })
    const rootfs = await buildRootfs(join(base, 'rootfs'), nativeBinary('vcwork'), ctx.cleanup)
    const layout = await readCgroupLayout()
    // lxc-execute leaves an empty `lxc.pivot` cgroup behind; remove it afterwards unless it was already there.
    ctx.cleanup.add('lxc: empty lxc.pivot cgroups', await removeNewRuntimeCgroups('lxc.pivot'))
    const confPath = join(base, 'ct.conf')
    await writeFile(confPath, lxcConfig({ name, rootfs: rootfs.dir, scratch: ctx.scratchDir, limits, layout }))
    // lxc-execute leaves its log and container dir under lxcPath; removed with the rootfs' parent.
    const agent = await startAgentProcess(
      ['lxc-execute', '-P', lxcPath, '-n', name, '-f', confPath, '-o', join(base, 'lxc.log'), '-l', 'ERROR', '--', '/bin/vcwork', 'agent'],
      { label: 'lxc', cleanup: ctx.cleanup, signal: ctx.signal, startTimeoutMs: ctx.startTimeoutMs },
    )
    const undoScratch = ctx.cleanup.add('lxc: scratch files', () => removeScratchFiles(ctx.scratchDir, 'lxc'))
    let peer: string | { unavailable: string } = { unavailable: 'no network peer in this run' }
    let network = 'empty (own namespace, only lo)'
    if (ctx.network) {
      const info = await cmd(['lxc-info', '-P', lxcPath, '-n', name, '-p', '-H'])
      const initPid = Number(info.stdout.trim())
      if (info.ok && Number.isInteger(initPid) && initPid > 0) {
        try {
          const link = await ctx.network.attachVeth({ pid: initPid })
          peer = `${link.peerAddress}:${ctx.network.port}`
          network = `veth ${link.ifname} ${link.localAddress}/${link.prefixLength} -> peer namespace ${ctx.network.netns}`
        } catch (e) {
          peer = { unavailable: e instanceof Error ? e.message : String(e) }
        }
      } else {
        peer = { unavailable: `lxc-info found no init pid: ${info.stderr.trim()}` }
      }
    }
    return {
      tier: 'lxc',
      config: {
        runtime: 'lxc-execute',
        runtimeVersion: version.stdout.trim(),
        rootfs: 'busybox-static + vcwork (built by virtcheck)',
        vcworkVersion: agent.version,
        network,
        cgroupVersion: layout.v2Controllers.some((c) => ['cpu', 'memory', 'pids'].includes(c)) ? 'v2' : 'v1',
        cpuQuotaPct: cpuQuotaPct ?? 'none',
        memoryMiB: memoryMiB ?? 'none',
        pidsMax,
      },
      bootMs: agent.bootMs,
      async run(req: JobRequest, signal?: AbortSignal) {
        const full = withTierParams(req, { tier: 'lxc', scratchDir: '/scratch', peer })
        if ('kind' in full) return full
        return agent.client.run(full, jobTimeoutMs(full), signal ?? ctx.signal)
      },
      overheadRssBytes: () => groupOverheadRssBytes(agent.pid),
      async close() {
        await agent.close()
        await undoScratch()
      },
    }
  },
}
