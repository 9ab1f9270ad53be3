/**
 * Where each cgroup controller lives on this host (pure; the mounts come from parseCgroupMounts in
 * src/parse/cgroup.ts, which the probe's cgroupView uses too): a v1 hierarchy per controller, the v2
 * unified mount, or both (hybrid; this project's dev hosts bind only hugetlb to v2). A controller is
 * used from v2 when the unified mount offers it, else from v1.
 */
import type { CgroupMounts } from '../../parse/cgroup.js'

export const LIMIT_CONTROLLERS = ['cpu', 'memory', 'pids'] as const
export type LimitController = (typeof LIMIT_CONTROLLERS)[number]

/** The cgroup mounts (`CgroupMounts`, parsed by parseCgroupMounts in src/parse/cgroup.ts) and what the v2 root offers. */
export interface CgroupLayout {
  readonly v1: CgroupMounts['v1']
  /** Absent in layouts a test writes by hand. */
  readonly v1Mounts?: CgroupMounts['v1Mounts']
  readonly v2Mount?: string
  /** Controllers the v2 root offers (cgroup.controllers). */
  readonly v2Controllers: readonly string[]
}

export type ControllerHome = { readonly version: 'v1'; readonly mount: string } | { readonly version: 'v2'; readonly mount: string }

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
