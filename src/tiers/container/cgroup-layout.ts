/**
 * Where each cgroup controller lives on this host (pure parsing of /proc/self/mountinfo): a v1
 * hierarchy per controller, the v2 unified mount, or both (hybrid; this project's dev hosts bind
 * only hugetlb to v2). A controller is used from v2 when the unified mount offers it, else from v1.
 */
import { parseMountinfo } from '../../parse/mountinfo.js'

export const LIMIT_CONTROLLERS = ['cpu', 'memory', 'pids'] as const
export type LimitController = (typeof LIMIT_CONTROLLERS)[number]

export interface CgroupLayout {
  /** v1 controller -> mount point, e.g. cpu -> /sys/fs/cgroup/cpu (co-mounted cpu,cpuacct is fine). */
  readonly v1: Readonly<Record<string, string>>
  /** Every v1 hierarchy, named ones (name=systemd) included: where runtimes may leave debris. */
  readonly v1Mounts?: readonly string[]
  /** The cgroup2 mount point, when there is one. */
  readonly v2Mount?: string
  /** Controllers the v2 root offers (cgroup.controllers). */
  readonly v2Controllers: readonly string[]
}

export type ControllerHome = { readonly version: 'v1'; readonly mount: string } | { readonly version: 'v2'; readonly mount: string }

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

export const parseCgroupMounts = (mountinfo: string): { v1: Record<string, string>; v1Mounts: string[]; v2Mount?: string } => {
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

export const controllerHome = (layout: CgroupLayout, c: LimitController): ControllerHome | undefined => {
  if (layout.v2Mount && layout.v2Controllers.includes(c)) return { version: 'v2', mount: layout.v2Mount }
  const m = layout.v1[c]
  return m ? { version: 'v1', mount: m } : undefined
}

export const describeLayout = (layout: CgroupLayout): string => {
  const hasV1 = LIMIT_CONTROLLERS.some((c) => layout.v1[c])
  const v2Used = LIMIT_CONTROLLERS.some((c) => layout.v2Controllers.includes(c))
  if (hasV1 && layout.v2Mount) return v2Used ? 'hybrid (v1 + v2 controllers)' : 'v1 (hybrid: v2 mounted without these controllers)'
  if (hasV1) return 'v1'
  if (layout.v2Mount) return 'v2'
  return 'none'
}

/** The files that carry each limit, per version. cpuQuotaPct is a percentage of one CPU. */
export const limitWrites = (
  c: LimitController,
  version: 'v1' | 'v2',
  limits: { readonly cpuQuotaPct?: number; readonly memoryMiB?: number; readonly pidsMax?: number },
): [file: string, value: string][] => {
  const period = 100_000
  if (c === 'cpu' && limits.cpuQuotaPct !== undefined) {
    const quota = Math.max(1000, Math.round((limits.cpuQuotaPct / 100) * period))
    return version === 'v1'
      ? [
          ['cpu.cfs_period_us', String(period)],
          ['cpu.cfs_quota_us', String(quota)],
        ]
      : [['cpu.max', `${quota} ${period}`]]
  }
  if (c === 'memory' && limits.memoryMiB !== undefined) {
    const bytes = String(limits.memoryMiB * 1024 * 1024)
    return version === 'v1' ? [['memory.limit_in_bytes', bytes]] : [['memory.max', bytes]]
  }
  if (c === 'pids' && limits.pidsMax !== undefined) return [['pids.max', String(limits.pidsMax)]]
  return []
}
