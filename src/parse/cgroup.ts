/** cgroup files -> facts: `/proc/cgroups`, `/proc/self/cgroup`, `cgroup.controllers`, cgroup mounts, statfs magic numbers. */
import { parseMountinfo } from './mountinfo.js'

export const CGROUP2_SUPER_MAGIC = 0x63677270
export const CGROUP_SUPER_MAGIC = 0x27e0eb
export const TMPFS_MAGIC = 0x01021994

export interface V1Controller {
  readonly name: string
  /** 0 = not bound to a v1 hierarchy (free for v2, or unused). */
  readonly hierarchy: number
  readonly enabled: boolean
}

export const parseProcCgroups = (text: string): V1Controller[] =>
  text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p.length >= 4)
    .map((p) => ({ name: p[0] ?? '', hierarchy: Number(p[1]), enabled: p[3] === '1' }))

export interface SelfCgroupLine {
  readonly hierarchy: number
  readonly controllers: readonly string[]
  readonly path: string
}

export const parseSelfCgroup = (text: string): SelfCgroupLine[] =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [h, ctl, ...rest] = l.split(':')
      return { hierarchy: Number(h), controllers: (ctl ?? '').split(',').filter(Boolean), path: rest.join(':') }
    })

/** The v2 (unified) line's path, `0::/path`; undefined on a v1-only host. */
export const unifiedCgroupPath = (procCgroup: string): string | undefined =>
  parseSelfCgroup(procCgroup).find((l) => l.hierarchy === 0 && l.controllers.length === 0)?.path

/** The path of the v1 hierarchy that carries `controller` (e.g. `memory`). */
export const v1CgroupPath = (procCgroup: string, controller: string): string | undefined =>
  parseSelfCgroup(procCgroup).find((l) => Number.isInteger(l.hierarchy) && l.controllers.includes(controller))?.path

export const parseControllerList = (text: string): string[] => text.trim().split(/\s+/).filter(Boolean)

export type CgroupMode = 'v2' | 'hybrid' | 'v1' | 'none'

/** Decide the mode from statfs of /sys/fs/cgroup and /sys/fs/cgroup/unified (systemd's cg_unified_cached). */
export const cgroupModeFromStatfs = (root: number | undefined, unified: number | undefined): CgroupMode | undefined => {
  if (root === CGROUP2_SUPER_MAGIC) return 'v2'
  if (root === TMPFS_MAGIC) return unified === CGROUP2_SUPER_MAGIC ? 'hybrid' : 'v1'
  if (root === CGROUP_SUPER_MAGIC) return 'v1'
  return undefined
}

/** Fallback from mountinfo fs types. */
export const cgroupModeFromMounts = (fsTypes: readonly string[]): CgroupMode => {
  const v1 = fsTypes.includes('cgroup')
  const v2 = fsTypes.includes('cgroup2')
  return v1 && v2 ? 'hybrid' : v2 ? 'v2' : v1 ? 'v1' : 'none'
}

const V1_CONTROLLERS = new Set([
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'pids',
  'blkio',
  'devices',
  'freezer',
  'net_cls',
  'net_prio',
  'perf_event',
  'hugetlb',
  'rdma',
  'misc',
])

/** The cgroup mounts of a mountinfo: v1 controller -> its hierarchy, every v1 hierarchy, the (first) cgroup2 mount. */
export interface CgroupMounts {
  /** v1 controller -> mount point, e.g. cpu -> /sys/fs/cgroup/cpu (co-mounted cpu,cpuacct is fine). */
  readonly v1: Readonly<Record<string, string>>
  /** Every v1 hierarchy, named ones (name=systemd) included: where runtimes may leave debris. */
  readonly v1Mounts: readonly string[]
  /** The cgroup2 mount point, when there is one. */
  readonly v2Mount?: string
}

export const parseCgroupMounts = (mountinfo: string): CgroupMounts => {
  const v1: Record<string, string> = {}
  const v1Mounts: string[] = []
  let v2Mount: string | undefined
  for (const m of parseMountinfo(mountinfo)) {
    if (!m.mountPoint) continue
    if (m.fsType === 'cgroup2') {
      v2Mount ??= m.mountPoint
    } else if (m.fsType === 'cgroup') {
      v1Mounts.push(m.mountPoint)
      for (const opt of m.superOptions.split(',')) {
        if (!V1_CONTROLLERS.has(opt)) continue // mount options (rw, xattr, name=systemd...)
        v1[opt] ??= m.mountPoint
      }
    }
  }
  return v2Mount === undefined ? { v1, v1Mounts } : { v1, v1Mounts, v2Mount }
}
