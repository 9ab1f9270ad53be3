/**
 * Create the container's cgroups (one per limit controller, v1 or v2 per the layout), write the
 * limits (a memory limit includes swap: none beyond it), move a pid in, read the memory cgroup's OOM
 * counters (oom.ts), and remove them again (registered for cleanup; rmdir retried while the last
 * tasks exit). Names start with `virtcheck-` so `virtcheck cleanup` finds leftovers.
 */
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Cleanup } from '../../core/cleanup.js'
import { parseCgroupMounts, parseControllerList } from '../../parse/cgroup.js'
import { controllerHome, describeLayout, LIMIT_CONTROLLERS, limitWrites, type CgroupLayout } from './cgroup-layout.js'
import { readMemoryEvents, type MemoryEvents } from './oom.js'
import type { ContainerLimits } from './limit-options.js'

export interface ContainerCgroups {
  readonly dirs: readonly string[]
  readonly cgroupVersion: string
  /** What was written where, for the tier's recorded config. */
  readonly applied: Readonly<Record<string, string>>
  addPid(pid: number): Promise<void>
  /**
   * The memory cgroup's OOM counters (v1 memory.oom_control + memory[.memsw].failcnt, v2 memory.events);
   * undefined without a memory cgroup or when they cannot be read.
   */
  memoryEvents(): Promise<MemoryEvents | undefined>
  remove(): Promise<void>
}

export const readCgroupLayout = async (): Promise<CgroupLayout> => {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '')
  const { v1, v1Mounts, v2Mount } = parseCgroupMounts(info)
  const v2Controllers = v2Mount ? parseControllerList(await readFile(join(v2Mount, 'cgroup.controllers'), 'utf8').catch(() => '')) : []
  return { v1, v1Mounts, v2Controllers, ...(v2Mount ? { v2Mount } : {}) }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** rmdir a cgroup, retrying for 2 s while its tasks exit; true when it is gone (or never was). */
export const removeCgroupDir = async (dir: string): Promise<boolean> => {
  for (let i = 0; i < 20; i++) {
    try {
      await rmdir(dir)
      return true
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return true
      await sleep(100) // tasks still exiting
    }
  }
  return false
}

export const createCgroups = async (name: string, limits: ContainerLimits, cleanup: Cleanup): Promise<ContainerCgroups> => {
  const layout = await readCgroupLayout()
  const dirs: string[] = []
  const applied: Record<string, string> = {}
  let memory: { dir: string; version: 'v1' | 'v2' } | undefined
  const remove = cleanup.add(`cgroups ${name}`, async () => {
    for (const dir of [...dirs].reverse()) await removeCgroupDir(dir)
  })
  try {
    for (const c of LIMIT_CONTROLLERS) {
      const home = controllerHome(layout, c)
      if (!home) {
        if (limitFor(c, limits) !== undefined) throw new Error(`the ${c} cgroup controller is not mounted on this host`)
        continue
      }
      const dir = join(home.mount, name)
      if (!dirs.includes(dir)) {
        if (home.version === 'v2') await writeFile(join(home.mount, 'cgroup.subtree_control'), `+${c}`).catch(() => undefined)
        await mkdir(dir)
        dirs.push(dir)
      }
      if (c === 'memory') memory = { dir, version: home.version }
      for (const [file, value] of limitWrites(c, home.version, limits)) {
        await writeFile(join(dir, file), value)
        applied[`${home.version}:${c}/${file}`] = value
      }
      if (c === 'memory' && limits.memoryMiB !== undefined) {
        // No swap beyond the limit (as the docker/podman tiers' --memory-swap = --memory): a job that
        // needs more than the limit is OOM-killed and reported, not measured against swap. The file
        // is absent where the kernel does not account swap; then there is nothing to limit.
        const [file, value] =
          home.version === 'v1' ? ['memory.memsw.limit_in_bytes', String(limits.memoryMiB * 1024 * 1024)] : ['memory.swap.max', '0']
        if (
          await writeFile(join(dir, file), value).then(
            () => true,
            () => false,
          )
        )
          applied[`${home.version}:${c}/${file}`] = value
      }
    }
  } catch (e) {
    await remove()
    throw e
  }
  return {
    dirs,
    cgroupVersion: describeLayout(layout),
    applied,
    addPid: async (pid) => {
      for (const dir of dirs) await writeFile(join(dir, 'cgroup.procs'), String(pid))
    },
    memoryEvents: async () => (memory ? readMemoryEvents(memory.dir, memory.version) : undefined),
    remove,
  }
}

const limitFor = (c: string, l: ContainerLimits): number | undefined =>
  c === 'cpu' ? l.cpuQuotaPct : c === 'memory' ? l.memoryMiB : c === 'pids' ? l.pidsMax : undefined

/**
 * Runtimes leave empty bookkeeping cgroups behind (lxc-execute: `lxc.pivot`, podman: `libpod_parent`).
 * Note which exist before the tier starts; the returned function removes the new ones again (empty
 * directories only: rmdir fails on a cgroup that still has tasks, so a live one is never touched).
 */
export const removeNewRuntimeCgroups = async (name: string): Promise<() => Promise<void>> => {
  const layout = await readCgroupLayout()
  const roots = [...new Set([...(layout.v1Mounts ?? Object.values(layout.v1)), ...(layout.v2Mount ? [layout.v2Mount] : [])])]
  const before = new Set<string>()
  for (const r of roots)
    if (
      await readdir(join(r, name)).then(
        () => true,
        () => false,
      )
    )
      before.add(join(r, name))
  return async () => {
    for (const r of roots) {
      const dir = join(r, name)
      if (!before.has(dir)) await rmdirTree(dir)
    }
  }
}

/**
 * The cgroups lxc names after one of this run's containers (`lxc.payload.<name>`, `lxc.monitor.<name>`)
 * in every hierarchy. The name is this run's own, so what is inside is ours: a killed lxc-execute leaves
 * the container's processes there, and they are killed before the tree is removed.
 */
export const removeOwnRuntimeCgroups = async (name: string): Promise<void> => {
  const layout = await readCgroupLayout()
  const roots = [...new Set([...(layout.v1Mounts ?? Object.values(layout.v1)), ...(layout.v2Mount ? [layout.v2Mount] : [])])]
  for (const dir of roots.map((r) => join(r, name))) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const pids = await treePids(dir)
      if (pids === undefined) break // gone
      for (const pid of pids) killQuietly(pid)
      await rmdirTree(dir)
      await new Promise((r) => setTimeout(r, 50)) // killed tasks leave their cgroup a moment later
    }
  }
}

/** Every pid in a cgroup tree; undefined when the cgroup does not exist. */
const treePids = async (dir: string): Promise<number[] | undefined> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined)
  if (!entries) return undefined
  const own = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => ''))
    .split('\n')
    .map(Number)
    .filter((x) => x > 0)
  for (const e of entries) if (e.isDirectory()) own.push(...((await treePids(join(dir, e.name))) ?? []))
  return own
}

const killQuietly = (pid: number): void => {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

const rmdirTree = async (dir: string): Promise<void> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const e of entries) if (e.isDirectory()) await rmdirTree(join(dir, e.name))
  await rmdir(dir).catch(() => undefined)
}
