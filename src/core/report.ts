/**
 * RunReport: the versioned JSON document of one run. Everything after measurement (reports, compare,
 * history) works from it, so any run can be re-rendered or compared without measuring again.
 * The JSON Schema lives in docs/schema/run-report.schema.json; bump SCHEMA_MAJOR on incompatible changes.
 */
import type { Finding } from './finding.js'
import type { TierConfig, TierId, TierReadiness } from './tier.js'

export const SCHEMA_ID = 'virtcheck-run'
export const SCHEMA_MAJOR = 1
export const SCHEMA_MINOR = 1
export const SCHEMA_VERSION = `${SCHEMA_MAJOR}.${SCHEMA_MINOR}`

/** Descriptive host context (systeminformation and uname); never the basis of a verdict. */
export interface HostContext {
  readonly hostname: string
  readonly cpuModel: string
  readonly cpuCores: number
  readonly memoryBytes: number
  readonly kernel: string
  readonly distro: string
  readonly arch: string
  /** e.g. `vm (kvm, nested PVM)`, `container (docker)`, `bare metal`. From the environment findings. */
  readonly virtRole: string
  readonly nodeVersion: string
  readonly clocksource?: string
}

/** Statistics over the samples of one (tier, job, metric). */
export interface Stats {
  readonly n: number
  readonly median: number
  readonly mean: number
  readonly stddev: number
  /** Coefficient of variation, stddev / mean (0..). */
  readonly cv: number
  readonly min: number
  readonly max: number
  /** 95% confidence interval of the median (distribution-free, order statistics or bootstrap). */
  readonly ci95: readonly [number, number]
}

export interface Ratio {
  /** median(tier) / median(native), in the metric's own units (not direction-adjusted). */
  readonly value: number
  readonly ci95: readonly [number, number]
}

interface MetricBase {
  readonly tier: TierId
  readonly job: string
  readonly metric: string
  readonly unit: string
  readonly better: 'higher' | 'lower'
  readonly params: Readonly<Record<string, string | number>>
  /** Every raw sample, in measurement order. */
  readonly samples: readonly number[]
}

export type MetricResult =
  | (MetricBase & {
      readonly state: 'ok'
      readonly stats: Stats
      readonly ratioToNative?: Ratio
      /**
       * Native's samples of this job and metric taken alongside this tier, in its group, repetition
       * k next to repetition k (tiers that do not share native's group: guests, emulation); the pairs
       * that ratioToNative is the median of. Absent where native did not run alongside.
       */
      readonly nativeAlongside?: readonly number[]
      /** Codes of RunWarnings that apply to this cell (noisy, short, steal...). */
      readonly flags: readonly string[]
    })
  | (MetricBase & { readonly state: 'failed'; readonly error: string; readonly logTail?: string })

export type TierRunState = 'completed' | 'failed' | 'not-ready' | 'skipped' | 'interrupted'

export interface TierRun {
  readonly tier: TierId
  readonly state: TierRunState
  /** Why it failed / was not ready / was skipped. */
  readonly reason?: string
  readonly config: TierConfig
  /** Process start to guest userspace / agent ready. */
  readonly bootMs?: number
  /** Process start to the first job's first sample. */
  readonly firstJobMs?: number
  readonly overheadRssBytes?: number
  /**
   * The tiers (this one included) whose repetitions alternated one by one with this tier's, in this
   * order: their k-th samples of a job were taken back to back (compare --relative-to pairs them).
   */
  readonly interleavedWith?: readonly TierId[]
  readonly durationMs: number
  /** Console or log tail when something went wrong. */
  readonly logTail?: string
}

export interface RunWarning {
  readonly code: string
  readonly message: string
  readonly hint?: string
  readonly tier?: TierId
  readonly job?: string
  readonly metric?: string
}

export interface RunReport {
  readonly schema: typeof SCHEMA_ID
  readonly schemaVersion: string
  readonly tool: { readonly name: 'virtcheck'; readonly version: string }
  readonly startedAt: string
  readonly finishedAt: string
  /** True while the run is still going (partial results written after each tier) or was interrupted. */
  readonly partial: boolean
  /** Free label, e.g. a commit id or `kernel 6.8 + qemu 9.1`. */
  readonly label?: string
  readonly host: HostContext
  readonly findings: readonly Finding[]
  readonly readiness: readonly TierReadiness[]
  readonly tiers: readonly TierRun[]
  readonly results: readonly MetricResult[]
  readonly warnings: readonly RunWarning[]
  /** What is needed to reproduce the run: argv, plan parameters, tool versions. */
  readonly reproduce: {
    readonly argv: readonly string[]
    readonly mode: 'quick' | 'full' | 'custom' | 'probe-only'
    readonly settings: Readonly<Record<string, string | number | boolean>>
    readonly versions: Readonly<Record<string, string>>
  }
}
