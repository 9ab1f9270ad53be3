/**
 * The tiers of the virtualization "matryoshka" (docs/tiers.md), from least to most shared with the host.
 */
import type { Cleanup } from './cleanup.js'
import type { Finding, Remediation } from './finding.js'

export const TIER_IDS = [
  'native',
  'container',
  'docker',
  'podman',
  'lxc',
  'kvm-virtio',
  'kvm-emulated',
  'tcg-virtio',
  'tcg-emulated',
  'emu-aarch64',
] as const
export type TierId = (typeof TIER_IDS)[number]

export const TIER_CLASSES = ['native', 'container', 'paravirtualization', 'full-virtualization', 'emulation'] as const
export type TierClass = (typeof TIER_CLASSES)[number]

export interface TierInfo {
  readonly id: TierId
  readonly cls: TierClass
  readonly label: string
  /** What runs, in words. */
  readonly runs: string
  /** What this tier shares with the host. */
  readonly shares: string
  /**
   * Where its net jobs find the `vcwork serve` peer: `own-loopback` (the driver starts one on 127.0.0.1)
   * or `run-network` (the run's peer network namespace; without it net jobs fail with the reason).
   */
  readonly netPeer: 'own-loopback' | 'run-network'
}

export const TIERS: readonly TierInfo[] = [
  { id: 'native', cls: 'native', netPeer: 'own-loopback', label: 'Native', runs: 'vcwork on the host itself', shares: 'everything' },
  {
    id: 'container',
    cls: 'container',
    netPeer: 'run-network',
    label: 'Container (built-in)',
    runs: 'namespaces + cgroups + pivot_root into a minimal rootfs, no daemon',
    shares: 'the kernel',
  },
  {
    id: 'docker',
    cls: 'container',
    netPeer: 'run-network',
    label: 'Docker',
    runs: 'docker run of a locally built image',
    shares: 'the kernel',
  },
  {
    id: 'podman',
    cls: 'container',
    netPeer: 'run-network',
    label: 'Podman',
    runs: 'podman run --rootfs of a local rootfs',
    shares: 'the kernel',
  },
  { id: 'lxc', cls: 'container', netPeer: 'run-network', label: 'LXC', runs: 'lxc-execute of a local rootfs', shares: 'the kernel' },
  {
    id: 'kvm-virtio',
    cls: 'paravirtualization',
    netPeer: 'run-network',
    label: 'KVM + virtio',
    runs: 'guest under KVM with virtio-net (+vhost) and virtio-blk',
    shares: 'CPU (VT-x/AMD-V, EPT/NPT) + paravirtual drivers',
  },
  {
    id: 'kvm-emulated',
    cls: 'full-virtualization',
    netPeer: 'run-network',
    label: 'KVM + emulated devices',
    runs: 'guest under KVM with e1000 NIC and IDE/AHCI disk',
    shares: 'the CPU (VT-x/AMD-V, EPT/NPT)',
  },
  {
    id: 'tcg-virtio',
    cls: 'emulation',
    netPeer: 'run-network',
    label: 'TCG + virtio',
    runs: 'x86 guest under QEMU TCG with virtio devices',
    shares: 'nothing (CPU translated)',
  },
  {
    id: 'tcg-emulated',
    cls: 'emulation',
    netPeer: 'run-network',
    label: 'TCG + emulated devices',
    runs: 'x86 guest under QEMU TCG with emulated devices',
    shares: 'nothing (CPU translated)',
  },
  {
    id: 'emu-aarch64',
    cls: 'emulation',
    netPeer: 'run-network',
    label: 'aarch64 emulation',
    runs: 'aarch64 vcwork under qemu-user (and qemu-system-aarch64 when a guest kernel exists)',
    shares: 'nothing (foreign architecture)',
  },
]

export const tierInfo = (id: TierId): TierInfo => {
  const t = TIERS.find((x) => x.id === id)
  if (!t) throw new Error(`unknown tier ${id}`)
  return t
}
export const isTierId = (s: string): s is TierId => (TIER_IDS as readonly string[]).includes(s)

/**
 * vcwork runs as a process of this host (native, containers): cheap to keep open beside others, and a
 * CPU number means a host CPU. Inside a guest it would name a guest vCPU.
 */
export const runsOnHostCpus = (id: TierId): boolean => ['native', 'container'].includes(tierInfo(id).cls)

/** Can this tier run here? Decided from findings (and, with `probe --deep`, by acting). */
export type TierReadiness =
  | {
      readonly tier: TierId
      readonly ready: true
      readonly summary: string
      readonly notes?: readonly string[]
      readonly provedBy?: string
    }
  | {
      readonly tier: TierId
      readonly ready: false
      readonly summary: string
      /** Finding ids that block this tier. */
      readonly blockedBy: readonly string[]
      readonly remediation: Remediation
      /** Console or log tail when a --deep smoke test failed. */
      readonly logTail?: string
    }

/** What one job repetition produced inside a tier (a vcwork sample line, minus transport fields). */
export interface TierSample {
  readonly job: string
  readonly metric: string
  readonly unit: string
  readonly better: 'higher' | 'lower'
  readonly value: number
  readonly rep: number
  readonly durationMs: number
  /** The repetition ran shorter than its target duration. */
  readonly short: boolean
  readonly stealTicksDelta?: number
}

export interface JobRequest {
  readonly job: string
  readonly reps: number
  readonly params: Readonly<Record<string, string | number>>
}

export type JobOutcome =
  | { readonly kind: 'ok'; readonly samples: readonly TierSample[] }
  | { readonly kind: 'failed'; readonly reason: string; readonly logTail?: string }

/** Tier configuration recorded with every result (QEMU version, accel, devices, runtime, network mode...). */
export type TierConfig = Readonly<Record<string, string | number | boolean>>

/** One booted guest / started container / native agent; runs many jobs, then closes. */
export interface TierSession {
  readonly tier: TierId
  readonly config: TierConfig
  /** Process start to guest userspace (VMs) or to agent ready (others). */
  readonly bootMs?: number
  run(req: JobRequest, signal?: AbortSignal): Promise<JobOutcome>
  /**
   * vcwork runs on the host's CPUs though the tier is not a host-process tier (qemu-user translates
   * sched_setaffinity for the thread that runs the guest code): the runner walks its CPUs like native's.
   */
  readonly pinsHostCpus?: boolean
  /** Resident memory of the tier's machinery beyond the workload (QEMU process, container runtime), if measured. */
  overheadRssBytes?(): Promise<number | undefined>
  close(): Promise<void>
}

/**
 * The benchmark network peer: `vcwork serve` running inside a network namespace virtcheck created.
 * Tiers attach to it; no benchmark traffic ever leaves namespaces virtcheck created or loopback.
 */
export interface PeerNetwork {
  /** Name of the network namespace (under /run/netns) where the peer listens. */
  readonly netns: string
  /** TCP port `vcwork serve` listens on (all peer addresses). */
  readonly port: number
  /** A veth pair: one end in the peer namespace, the other moved into the target's namespace. */
  attachVeth(target: { readonly pid: number } | { readonly netns: string }): Promise<{
    readonly ifname: string
    readonly localAddress: string
    readonly peerAddress: string
    readonly prefixLength: number
  }>
  /** A tap device inside the peer namespace for a QEMU guest (QEMU must run in that namespace). */
  attachTap(): Promise<{
    readonly ifname: string
    readonly guestAddress: string
    readonly peerAddress: string
    readonly prefixLength: number
  }>
}

/** Everything a tier needs to start: where to work, what to clean up, when to stop. */
export interface TierOpenContext {
  /** Findings of this run's probe (kernel path, runtimes, accelerators...). */
  readonly findings: readonly Finding[]
  /** Per-run working folder (guest images, rootfs, logs). */
  readonly workDir: string
  /** Folder on the file system used by every tier for IO jobs (same fs for fairness). */
  readonly scratchDir: string
  readonly cleanup: Cleanup
  readonly signal: AbortSignal
  /** Hard limit for boot/start; a tier that is not ready in time fails with its log tail. */
  readonly startTimeoutMs: number
  /** Network peer, when network jobs are planned and a peer could be set up. */
  readonly network?: PeerNetwork
  /** Explicit guest kernel from --kernel. */
  readonly kernelPath?: string
  /**
   * Tier options from `--tier-opt TIER.KEY=VALUE` (e.g. container `cpu-quota=50`, qemu `smp=2`,
   * `qemu-binary=/opt/qemu/bin/qemu-system-x86_64`). Two option sets of one tier are what an A/B compares.
   * Each driver documents its keys and rejects unknown ones with a UsageError.
   */
  readonly options?: Readonly<Record<string, string>>
  /** Progress/diagnostic line sink (stderr). */
  readonly log: (line: string) => void
}

export interface TierDriver {
  readonly id: TierId
  open(ctx: TierOpenContext): Promise<TierSession>
}
