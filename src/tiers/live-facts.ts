/**
 * A tier driver's host facts: the probe's (`tierFacts`, pure, from `TierOpenContext.findings`), and
 * only when the run has no such finding (a driver opened without a probe, as in tests, or a probe
 * that could not tell) a live check, written here once per fact. Drivers ask this, never the host.
 */
import { constants } from 'node:fs'
import { access, open, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Finding } from '../core/finding.js'
import { nativeBinary } from '../host/paths.js'
import { unifiedCgroupPath } from '../parse/cgroup.js'
import { controllerHome, type CgroupLayout } from './container/cgroup-layout.js'
import { tierFacts, type DeviceFact } from './tier-facts.js'

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  )

/** Fallback for a device finding: open the node read-write, as the probe does. */
const openRw = async (path: string): Promise<DeviceFact> => {
  try {
    const fh = await open(path, constants.O_RDWR)
    await fh.close()
    return { kind: 'usable' }
  } catch (e) {
    return { kind: 'unusable', why: e instanceof Error ? e.message : String(e) }
  }
}

/** Fallback for `os-features.swap-accounting`: is there a memory+swap control file where the memory controller lives? */
const swapAccountedLive = async (layout: CgroupLayout): Promise<boolean> => {
  const home = controllerHome(layout, 'memory')
  if (!home) return false
  if (home.version === 'v1') return exists(join(home.mount, 'memory.memsw.limit_in_bytes'))
  // v2: the root has no memory.swap.max; look at this process's own cgroup, else any child of the root.
  const own = unifiedCgroupPath(await readFile('/proc/self/cgroup', 'utf8').catch(() => ''))
  if (own && own !== '/' && (await exists(join(home.mount, own, 'memory.swap.max')))) return true
  for (const d of (await readdir(home.mount, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).slice(0, 20))
    if (await exists(join(home.mount, d.name, 'memory.swap.max'))) return true
  return false
}

export interface DriverFacts {
  kvmDevice(): Promise<DeviceFact>
  vhostNet(): Promise<DeviceFact>
  /** This process's uid (undefined where the platform has none). */
  uid(): number | undefined
  vcworkBuilt(arch: string): Promise<{ readonly built: true } | { readonly built: false; readonly why: string }>
  /** Can a memory limit include swap here (memsw / memory.swap.max)? False without a memory controller in `layout`. */
  swapAccounting(layout: CgroupLayout): Promise<boolean>
}

export const driverFacts = (findings: readonly Finding[]): DriverFacts => {
  const probe = tierFacts(findings)
  return {
    kvmDevice: async () => probe.kvmDevice() ?? openRw('/dev/kvm'),
    vhostNet: async () => probe.vhostNet() ?? openRw('/dev/vhost-net'),
    uid: () => probe.uid() ?? process.getuid?.(),
    vcworkBuilt: async (arch) =>
      probe.vcworkBuilt(arch) ?? ((await exists(nativeBinary('vcwork', arch))) ? { built: true } : { built: false, why: 'missing' }),
    swapAccounting: async (layout) => {
      if (!controllerHome(layout, 'memory')) return false
      return probe.swapAccounting() ?? swapAccountedLive(layout)
    },
  }
}
