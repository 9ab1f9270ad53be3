/**
 * The lxc tier: `lxc-execute` of virtcheck's own rootfs with a generated config (no template, no
 * image download). Network type `empty` (own namespace, only lo); the peer's veth is attached to the
 * container's init by pid. Limits through lxc.cgroup (v1) or lxc.cgroup2 keys; a memory limit
 * includes swap (memsw / swap.max: none beyond it) where the kernel accounts swap.
 *
 * Options (--tier-opt lxc.KEY=VALUE): cpu-quota, memory-mib, pids-max (as the built-in container).
 *
 * Out of memory, as the built-in container: the memory cgroup's OOM counters (oom.ts) are read before
 * and after each job. lxc creates that cgroup (lxc.payload.NAME, found from the init's
 * /proc/PID/cgroup) and removes it when the container ends, so when the agent dies a stop hook
 * (lxc.hook.stop runs after the init ended and before lxc removes the cgroups) copies the counter
 * files first. When the agent died during a job (OOM or otherwise) a fresh container runs the rest.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { JobRequest, TierDriver, TierOpenContext, TierSession } from '../../core/tier.js'
import { nativeBinary } from '../../host/paths.js'
import { agentConfig, startAgentProcess, type AgentProcess } from '../../agent/process.js'
import { groupOverheadRssBytes } from '../../agent/process-rss.js'
import { removeScratchFiles } from '../../agent/scratch.js'
import { parseLimitOptions, type ContainerLimits } from './limit-options.js'
import { cmd } from '../../net/ip-command.js'
import { controllerHome, limitWrites, type CgroupLayout } from './cgroup-layout.js'
import { readCgroupLayout, removeNewRuntimeCgroups, removeOwnRuntimeCgroups } from './cgroups.js'
import { describeExit, MEMORY_EVENT_FILES, memoryCgroupOf, readMemoryEvents } from './oom.js'
import { runContainerJob, type ContainerJobSpec } from './job-run.js'
import { buildRootfs } from './rootfs.js'
import { RelaunchingContainer } from './relaunch.js'
import { driverFacts } from '../live-facts.js'

/** A shell word (single-quoted). */
const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/** The lxc config text (pure). `stopHook`: the lxc.hook.stop command; `swapAccounted`: the kernel accounts swap, so the memory limit can include it. */
export const lxcConfig = (o: {
  name: string
  rootfs: string
  scratch: string
  limits: ContainerLimits
  layout: CgroupLayout
  swapAccounted?: boolean
  stopHook?: string
}): string => {
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
    const key = `lxc.cgroup${home.version === 'v2' ? '2' : ''}`
    for (const [file, value] of limitWrites(c, home.version, o.limits)) lines.push(`${key}.${file} = ${value}`)
    // No swap beyond the limit (as the built-in container and podman's --memory-swap = --memory): a
    // job that needs more is OOM-killed and reported, not measured while swapping.
    if (c === 'memory' && o.limits.memoryMiB !== undefined && o.swapAccounted)
      lines.push(
        home.version === 'v1' ? `${key}.memory.memsw.limit_in_bytes = ${o.limits.memoryMiB * 1024 * 1024}` : `${key}.memory.swap.max = 0`,
      )
  }
  if (o.stopHook) lines.push(`lxc.hook.stop = ${o.stopHook}`)
  return lines.join('\n') + '\n'
}

/**
 * The stop hook's script (pure): copies the memory cgroup's counter files (its directory, noted by
 * virtcheck in `DIR/NAME.memcg` once the container runs) to `DIR/NAME.oom/`, before lxc removes the cgroup.
 */
export const oomHookScript = (dir: string): string =>
  [
    '#!/bin/sh',
    "# virtcheck: lxc runs this (lxc.hook.stop) after the container's init ended, before it removes the",
    "# container's cgroups: keep the memory cgroup's OOM counters for the failure reason.",
    'n=${LXC_NAME:-$1}',
    `b=${shq(dir)}`,
    'd=$(cat "$b/$n.memcg" 2>/dev/null) || exit 0',
    'mkdir -p "$b/$n.oom.tmp" || exit 0',
    `for f in ${MEMORY_EVENT_FILES.join(' ')}; do`,
    '  if [ -r "$d/$f" ]; then cat "$d/$f" > "$b/$n.oom.tmp/$f"; fi',
    'done',
    'mv "$b/$n.oom.tmp" "$b/$n.oom"',
    'exit 0',
    '',
  ].join('\n')

let counter = 0

/** One running container. */
interface Container {
  readonly name: string
  readonly agent: AgentProcess
  readonly peer: string | { unavailable: string }
  readonly network: string
  /** Its memory cgroup (lxc's), or why it is not known. */
  readonly memcg: { readonly dir: string; readonly version: 'v1' | 'v2' } | { readonly unknown: string }
}

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
    const memoryHome = controllerHome(layout, 'memory')
    // Does the kernel account swap in memory cgroups (so a memsw / swap.max limit can be set)? The probe's os-features.swap-accounting.
    const swap = memoryMiB !== undefined && (await driverFacts(ctx.findings).swapAccounting(layout))
    // lxc-execute leaves an empty `lxc.pivot` cgroup behind; remove it afterwards unless it was already there.
    ctx.cleanup.add('lxc: empty lxc.pivot cgroups', await removeNewRuntimeCgroups('lxc.pivot'))
    const hookPath = join(base, 'oom-hook.sh')
    await writeFile(hookPath, oomHookScript(base))
    const confPath = join(base, 'ct.conf')
    await writeFile(
      confPath,
      lxcConfig({
        name,
        rootfs: rootfs.dir,
        scratch: ctx.scratchDir,
        limits,
        layout,
        swapAccounted: swap,
        stopHook: `/bin/sh ${shq(hookPath)}`,
      }),
    )
    let launches = 0
    /** Start a container (at open, and again after the agent died): its agent, memory cgroup and network peer. */
    const launch = async (): Promise<Container> => {
      // Each container gets its own name (and so its own lxc.payload cgroup and stop-hook files).
      const ctName = launches++ === 0 ? name : `${name}-${launches}`
      // lxc names its cgroups after the container; a killed lxc-execute leaves them in every hierarchy
      // (lxc.payload.<name>, lxc.monitor.<name>). The names are this run's own, so none existed before.
      for (const kind of ['payload', 'monitor'])
        ctx.cleanup.add(`lxc: ${kind} cgroups of ${ctName}`, () => removeOwnRuntimeCgroups(`lxc.${kind}.${ctName}`))
      // lxc-execute leaves its log and container dir under lxcPath; removed with the rootfs' parent.
      const agent = await startAgentProcess(
        [
          'lxc-execute',
          '-P',
          lxcPath,
          '-n',
          ctName,
          '-f',
          confPath,
          '-o',
          join(base, 'lxc.log'),
          '-l',
          'ERROR',
          '--',
          '/bin/vcwork',
          'agent',
        ],
        { label: 'lxc', cleanup: ctx.cleanup, signal: ctx.signal, startTimeoutMs: ctx.startTimeoutMs },
      )
      const info = await cmd(['lxc-info', '-P', lxcPath, '-n', ctName, '-p', '-H'])
      const initPid = Number(info.stdout.trim())
      const pidKnown = info.ok && Number.isInteger(initPid) && initPid > 0
      let memcg: Container['memcg'] = { unknown: 'no memory cgroup controller on this host' }
      if (memoryHome && pidKnown) {
        const found = await memoryCgroupOf(initPid, memoryHome)
        if (found) {
          await writeFile(join(base, `${ctName}.memcg`), found.dir) // for the stop hook
          memcg = { dir: found.dir, version: found.version }
        } else memcg = { unknown: `the memory cgroup of the container's init (pid ${initPid}) was not found` }
      } else if (memoryHome) memcg = { unknown: `lxc-info found no init pid: ${info.stderr.trim()}` }
      let peer: string | { unavailable: string } = { unavailable: 'no network peer in this run' }
      let network = 'empty (own namespace, only lo)'
      if (ctx.network) {
        if (pidKnown) {
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
      return { name: ctName, agent, peer, network, memcg }
    }
    const box = await RelaunchingContainer.start(launch)
    const { agent } = box.current
    const undoScratch = ctx.cleanup.add('lxc: scratch files', () => removeScratchFiles(ctx.scratchDir, 'lxc'))
    const memcgOf = (cur: Container) => ('dir' in cur.memcg ? cur.memcg : undefined)
    const job: ContainerJobSpec<Container> = {
      box,
      tier: 'lxc',
      memoryMiB,
      peer: (cur) => cur.peer,
      memoryEvents: async (cur, when) => {
        const memcg = memcgOf(cur)
        if (!memcg) return undefined
        // Alive: the cgroup is there. Dead: lxc removed it, after its stop hook copied the counters.
        if (when !== 'before' && when.died)
          return (
            (await readMemoryEvents(join(base, `${cur.name}.oom`), memcg.version)) ?? (await readMemoryEvents(memcg.dir, memcg.version))
          )
        return readMemoryEvents(memcg.dir, memcg.version)
      },
      describeExit: (exit) => describeExit('lxc-execute', exit),
      // Say so when the counters could not be read: then "not an OOM kill" is not known either.
      unchecked: (cur, before, after) =>
        !memcgOf(cur)
          ? `; whether the OOM killer was involved is unknown: ${'unknown' in cur.memcg ? cur.memcg.unknown : ''}`
          : !before || !after
            ? `; whether the OOM killer was involved is unknown: the memory cgroup's counters could not be read ${before ? 'after the job (the stop hook left no copy)' : 'before the job'}`
            : '',
    }
    return {
      tier: 'lxc',
      config: {
        runtime: 'lxc-execute',
        runtimeVersion: version.stdout.trim(),
        rootfs: 'busybox-static + vcwork (built by virtcheck)',
        ...agentConfig(agent),
        network: box.current.network,
        cgroupVersion: layout.v2Controllers.some((c) => ['cpu', 'memory', 'pids'].includes(c)) ? 'v2' : 'v1',
        cpuQuotaPct: cpuQuotaPct ?? 'none',
        memoryMiB: memoryMiB ?? 'none',
        swapBeyondMemoryLimit:
          memoryMiB === undefined ? 'n/a' : swap ? 'none' : 'not limited (the kernel does not account swap in memory cgroups)',
        pidsMax,
      },
      bootMs: agent.bootMs,
      run: (req: JobRequest, signal?: AbortSignal) => runContainerJob(job, req, signal ?? ctx.signal),
      overheadRssBytes: () => groupOverheadRssBytes(box.current.agent.pid),
      async close() {
        await box.current.agent.close()
        await undoScratch()
      },
    }
  },
}
