/**
 * One definition per tier: everything virtcheck knows about a tier before running it, in one place
 * (src/tiers/<family>/definition.ts, collected in src/tiers/definitions.ts). The driver is loaded
 * lazily so that `probe`, which only decides readiness, never loads driver code.
 */
import type { Finding } from './finding.js'
import type { TierDriver, TierInfo, TierReadiness } from './tier.js'

/** What a readiness decision reads: the probe's findings (by id) and the probed host's architecture. */
export interface ReadinessInputs {
  readonly finding: (id: string) => Finding | undefined
  readonly hostArch: string
}

export interface TierDefinition {
  /** Id, class, label, what runs and is shared, where net jobs find their peer (src/core/tier.ts). */
  readonly info: TierInfo
  /** Can it run here? A pure decision from the findings. */
  readiness(inputs: ReadinessInputs): TierReadiness
  /** Throws a UsageError (without the command prefix) for an unknown or bad `--tier-opt`. */
  checkOptions(options: Readonly<Record<string, string>>, isRoot: boolean): void
  /** `probe --deep`: the base time limit (scaled by the host's slowness) and whether to try it when not ready but /dev/kvm opens. */
  readonly deep: { readonly timeoutMs: number; readonly tryWhenKvmOpens: boolean }
  loadDriver(): Promise<TierDriver>
}
