/**
 * Create the container's cgroups (one per limit controller, v1 or v2 per the layout), write the
 * limits, move a pid in, and remove them again (registered for cleanup; rmdir retried while the
 * last tasks exit). Names start with `virtcheck-` so `virtcheck cleanup` finds leftovers.
 */
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CleanupRegistry } from '../../host/cleanup.js'
import { controllerHome, describeLayout, LIMIT_CONTROLLERS, limitWrites, parseCgroupMounts, type CgroupLayout } from './cgroup-layout.js'

export interface ContainerLimits {
  readonly cpuQuotaPct?: number
  readonly memoryMiB?: number
  readonly pidsMax?: number
}

export interface ContainerCgroups {
  readonly dirs: readonly string[]
  readonly cgroupVersion: string
  /** What was written where, for the tier's recorded config. */
  readonly applied: Readonly<Record<string, string>>
  addPid(pid: number): Promise<void>
  remove(): Promise<void>
}

export const readCgroupLayout = async (): Promise<CgroupLayout> => {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '')
  const { v1, v1Mounts, v2Mount } = parseCgroupMounts(info)
  const v2Controllers = v2Mount
    ? (await readFile(join(v2Mount, 'cgroup.controllers'), 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean)
    : []
  return { v1, v1Mounts, v2Controllers, ...(v2Mount ? { v2Mount } : {}) }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export const createCgroups = async (name: string, limits: ContainerLimits, cleanup: CleanupRegistry): Promise<ContainerCgroups> => {
  const layout = await readCgroupLayout()
  const dirs: string[] = []
  const applied: Record<string, string> = {}
  const remove = cleanup.add(`cgroups ${name}`, async () => {
    for (const dir of [...dirs].reverse()) {
      for (let i = 0; i < 20; i++) {
        try {
          await rmdir(dir)
          break
        } catch (e) {
          if ((e as { code?: string }).code === 'ENOENT') break
          await sleep(100) // tasks still exiting
        }
      }
    }
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
      for (const [file, value] of limitWrites(c, home.version, limits)) {
        await writeFile(join(dir, file), value)
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
  for (const r of roots) if (await readdir(join(r, name)).then(() => true, () => false)) before.add(join(r, name))
  return async () => {
    for (const r of roots) {
      const dir = join(r, name)
      if (!before.has(dir)) await rmdirTree(dir)
    }
  }
}

const rmdirTree = async (dir: string): Promise<void> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const e of entries) if (e.isDirectory()) await rmdirTree(join(dir, e.name))
  await rmdir(dir).catch(() => undefined)
}
