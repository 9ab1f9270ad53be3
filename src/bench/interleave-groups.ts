/**
 * Which tiers of a run are measured together, repetition by repetition (src/bench/runner.ts). Pure.
 *
 * - `host`: native and the containers. Cheap host processes; their ratio to native is paired.
 * - `kvm-guests`, `tcg-guests`: the two guests of one accelerator, whose results the matrix sets side
 *   by side (virtio against emulated devices). Measured one after the other, a TCG guest's IO moved 2x
 *   between runs a minute apart on a shared host (io.rand 5511 against 2102 read IOPS), so the order
 *   of the two tiers said more about the minute than about the devices: tcg-virtio net.rr 1547 tps
 *   against tcg-emulated's 5679 in one run, ahead in the next (docs/fidelity.md).
 *
 * Guests of one group are open at once, so both must fit in memory: where they do not, each runs on
 * its own and the run says so.
 */
import type { RunWarning } from '../core/report.js'
import type { TierId } from '../core/tier.js'
import { parseQemuOptions } from '../tiers/qemu/options.js'
import { QEMU_TIER_PROFILES } from '../tiers/qemu/profiles.js'

export type InterleaveGroup = 'host' | 'kvm-guests' | 'tcg-guests'

const GROUP_OF: Partial<Record<TierId, InterleaveGroup>> = {
  native: 'host',
  container: 'host',
  docker: 'host',
  podman: 'host',
  lxc: 'host',
  'kvm-virtio': 'kvm-guests',
  'kvm-emulated': 'kvm-guests',
  'tcg-virtio': 'tcg-guests',
  'tcg-emulated': 'tcg-guests',
}

/**
 * What a guest takes beyond its RAM while it runs: QEMU's own heaps, device state, and under TCG the
 * translation buffer, which grows with the code the guest runs (measured here: 152-170 MiB
 * overheadRssBytes for the TCG tiers after a quick run; the rest is headroom).
 */
export const GUEST_OVERHEAD_MIB = 512

/** The memory one guest tier needs while open, from its --tier-opt memory-mib (or the default). */
export const guestFootprintMib = (tier: TierId, options: Readonly<Record<string, string>> | undefined): number | undefined => {
  const profile = QEMU_TIER_PROFILES.find((p) => p.tier === tier)
  return profile ? parseQemuOptions(tier, profile.accel, options).memoryMib + GUEST_OVERHEAD_MIB : undefined
}

export interface InterleavePlan {
  /** The group a tier runs in; undefined: on its own. */
  readonly groupOf: (tier: TierId) => InterleaveGroup | undefined
  readonly warnings: readonly RunWarning[]
}

/**
 * The groups for the tiers that run. A guest group whose guests would not all fit in `memAvailableMib`
 * (MemAvailable of /proc/meminfo; undefined: unknown, so guests are not held open together) is split.
 */
export const planInterleave = (
  running: readonly TierId[],
  tierOptions: Partial<Record<TierId, Readonly<Record<string, string>>>>,
  memAvailableMib: number | undefined,
): InterleavePlan => {
  const split = new Set<InterleaveGroup>()
  const warnings: RunWarning[] = []
  for (const group of ['kvm-guests', 'tcg-guests'] as const) {
    const members = running.filter((t) => GROUP_OF[t] === group)
    if (members.length < 2) continue
    const needMib = members.reduce((sum, t) => sum + (guestFootprintMib(t, tierOptions[t]) ?? 0), 0)
    if (memAvailableMib !== undefined && needMib <= memAvailableMib) continue
    split.add(group)
    warnings.push({
      code: 'guests-not-interleaved',
      message: `${members.join(' and ')} ran one after the other, not interleaved: together they need about ${needMib} MiB and ${
        memAvailableMib === undefined ? 'the available memory is unknown' : `${memAvailableMib} MiB is available`
      }; load that changes between them biases their comparison`,
      hint: `Free memory, or give the guests less (--tier-opt ${members[0]}.memory-mib=512), and rerun.`,
    })
  }
  return {
    groupOf: (tier) => {
      const g = GROUP_OF[tier]
      return g && !split.has(g) ? g : undefined
    },
    warnings,
  }
}

/**
 * The groups of consecutive items (tiers, in run order) that share a key; an item without a key is a
 * group on its own. An item that does not run (`runs` false: docker without a daemon) is one on its own
 * and does not split the group around it: which tiers are interleaved must not depend on which others
 * are ready, or a gate's confirmation run (fewer tiers) would pair its samples differently from its
 * first. Pure.
 */
export const consecutiveGroups = <T>(
  items: readonly T[],
  groupOf: (item: T) => string | undefined,
  runs: (item: T) => boolean = () => true,
): T[][] => {
  const groups: T[][] = []
  let open: { readonly key: string; readonly items: T[] } | undefined
  for (const item of items) {
    if (!runs(item)) {
      groups.push([item])
      continue
    }
    const key = groupOf(item)
    if (key === undefined) {
      open = undefined
      groups.push([item])
    } else if (open?.key === key) open.items.push(item)
    else groups.push((open = { key, items: [item] }).items)
  }
  return groups
}

/**
 * How many groups of these running tiers (in run order) lack native while native runs: the native
 * sessions the runner opens alongside them. Pure.
 */
export const alongsideSeats = (running: readonly TierId[], groupOf: (tier: TierId) => string | undefined): number =>
  running.includes('native') ? consecutiveGroups(running, groupOf).filter((g) => !g.includes('native')).length : 0
