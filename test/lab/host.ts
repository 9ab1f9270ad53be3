/**
 * A lab host: an emulated server (a QEMU TCG guest, "L1") whose hardware we choose, so the verdicts a
 * probe must give there are known before it runs. A description says what the machine is (CPU model
 * and flags, devices, kernel command line, cgroup mode, which modules load and which are deliberately
 * left out), which virtcheck commands run in it, and what their outputs must say (`expect`).
 */
import type { GuestKernel } from '../../src/guest/kernel-find.js'

/** One virtcheck command run inside the lab host, from the test's own checkout. */
export interface LabRun {
  /** Output file stem and the name expectations refer to (`probe`, `probe-user`, `bench`). */
  readonly name: string
  /** virtcheck CLI arguments; `{json}` is replaced by the path of a JSON file that comes back. */
  readonly args?: readonly string[]
  /** Instead of virtcheck: a shell command (e.g. a look for leftovers after a bench). */
  readonly shell?: string
  /** Who runs it: root, or the unprivileged `nobody` (uid 65534). @default root */
  readonly user?: 'root' | 'nobody'
}

export type FindingStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'unknown'

export type Expectation =
  | {
      readonly kind: 'finding'
      readonly run: string
      readonly id: string
      readonly status?: FindingStatus | readonly FindingStatus[]
      /** Each key must equal (===, or deep-equal for arrays) the finding's fact. */
      readonly facts?: Readonly<Record<string, unknown>>
      readonly summary?: RegExp
      /** A remediation whose summary or commands match. */
      readonly fix?: RegExp
      /** Why this is the truth for this hardware. */
      readonly because: string
    }
  | {
      readonly kind: 'readiness'
      readonly run: string
      readonly tier: string
      readonly ready: boolean
      readonly summary?: RegExp
      readonly because: string
    }
  | { readonly kind: 'exit'; readonly run: string; readonly code: number }
  /** A check the two shapes above cannot say; returns the problem, or undefined when it holds. */
  | { readonly kind: 'custom'; readonly run: string; readonly what: string; readonly check: (out: RunOutput) => string | undefined }

export interface LabHost {
  readonly name: string
  /** One line: what this machine is. */
  readonly summary: string
  /** `-cpu` of the emulated host, e.g. `EPYC,+svm,+npt`. */
  readonly cpu: string
  /** `-machine` of the emulated host. @default q35 */
  readonly machine?: string
  /** Extra QEMU arguments: devices (`-device intel-iommu,intremap=on`, an SR-IOV NVMe ...). */
  readonly devices?: readonly string[]
  /** Extra kernel command line (`intel_iommu=on`). */
  readonly append?: readonly string[]
  /**
   * A scratch disk (ext4 on virtio-blk, made on this machine) mounted at the runs' working folder,
   * for benches: the QEMU tiers open their guest disks with O_DIRECT, which tmpfs refuses.
   */
  readonly scratchDiskMib?: number
  readonly memoryMib?: number
  readonly smp?: number
  /** How the host's init mounts cgroups. */
  readonly cgroup: 'v2' | 'hybrid'
  /** Kernel modules the host's init loads (their dependencies are added), beyond the lab's own (9p, overlay). */
  readonly modules: readonly string[]
  /** What is deliberately absent, in words (kept with the results). */
  readonly missing?: readonly string[]
  /** Shell lines run as root in the host before the runs (e.g. create SR-IOV VFs). */
  readonly setup?: readonly string[]
  /** Files made on this machine and put in the results share (/lab-out) before boot, e.g. a nested guest's initramfs. */
  readonly shareFiles?: (ctx: {
    readonly kernel: GuestKernel
    readonly busybox: string
  }) => Promise<Readonly<Record<string, Uint8Array | readonly Uint8Array[]>>>
  readonly runs: readonly LabRun[]
  /** Hard limit for the whole host, boot to power-off. */
  readonly timeoutS: number
  readonly expect: readonly Expectation[]
}

/** What came back from one run. */
export interface RunOutput {
  readonly name: string
  /** undefined when the run never finished (the host was stopped first). */
  readonly exitCode: number | undefined
  readonly durationMs: number | undefined
  readonly stdout: string
  readonly stderr: string
  /** The run's JSON: the `{json}` file when it has one, else stdout parsed, else undefined. */
  readonly json: unknown
}

export interface HostOutcome {
  readonly host: string
  readonly wallMs: number
  /** How the emulated host ended: powered off, or why it was stopped. */
  readonly ended: string
  readonly runs: readonly RunOutput[]
  /** The host's console (kernel log tail, init and run markers): evidence when something fails. */
  readonly console: string
}

/** Shorthands that keep host files readable. */
export const finding = (
  run: string,
  id: string,
  e: Omit<Extract<Expectation, { kind: 'finding' }>, 'kind' | 'run' | 'id'>,
): Expectation => ({ kind: 'finding', run, id, ...e })
export const readiness = (run: string, tier: string, ready: boolean, because: string, summary?: RegExp): Expectation => ({
  kind: 'readiness',
  run,
  tier,
  ready,
  because,
  ...(summary ? { summary } : {}),
})
export const exits = (run: string, code: number): Expectation => ({ kind: 'exit', run, code })
