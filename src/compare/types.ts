/**
 * The comparison document: what `virtcheck compare` and `virtcheck ab` produce, and what every
 * compare renderer (terminal, Markdown, JSON, JUnit) reads. Versioned like the RunReport.
 */
import type { TierId } from '../core/tier.js'
import { DEFAULT_NOISE_BAND, type NoiseBand } from './run-noise.js'
import type { Correction } from '../stats/multiplicity.js'

export const COMPARE_SCHEMA_ID = 'virtcheck-compare'
/**
 * 1.1: multi-run baselines (`runToRun`, `baseRuns`, settings.window/bandK). 1.2: settings.relativeTo.
 * 1.3: settings.relativeTo `auto` (the default) and the report's `judgedOn`; verdict `drift` with
 * summary.drift/driftWorse; `--fail-on drift`.
 */
export const COMPARE_SCHEMA_VERSION = '1.3'

/**
 * What exits 1 (docs/compare.md "Exit policy"): `regression` confirmed regressions and broken cells;
 * `drift` also cells that got worse but could be run-to-run drift; `any` every change; `never` nothing.
 */
export const FAIL_ON = ['regression', 'drift', 'any', 'never'] as const
export type FailOn = (typeof FAIL_ON)[number]
/** `auto`: ratios to native when both runs carry native, else absolute; `none` = `--absolute`. */
export const RELATIVE_TO = ['auto', 'none', 'native'] as const

export interface CompareSettings {
  /** Significance level of the two-sided Mann–Whitney test. */
  readonly alpha: number
  /** Minimum |relative change of medians|, in percent, to call a regression or improvement. */
  readonly thresholdPct: number
  readonly correction: Correction
  readonly failOn: FailOn
  /** Verdicts computed although the runs are not comparable. */
  readonly forced: boolean
  /** Tier config keys left out of the comparability check. */
  readonly ignoreConfigKeys: readonly string[]
  /** Multi-run baseline: how many of the newest comparable baseline runs each cell uses. */
  readonly window: number
  /** Multi-run baseline: half-width of the run-to-run noise band, in scaled MADs of the run medians. */
  readonly bandK: number
  /**
   * `native`: compare each tier's ratio to native measured in the same run (src/compare/relative.ts),
   * native itself in absolute terms; `auto`: so when both runs carry native; `none`: all absolute.
   * What was used is the report's `judgedOn`.
   */
  readonly relativeTo: (typeof RELATIVE_TO)[number]
}

/**
 * Defaults (docs/compare.md): alpha 0.01 because one comparison tests dozens of cells; 10% for two
 * separate runs because run-to-run drift on real machines (load, thermals, page cache) is invisible
 * to a within-run test and routinely reaches 5%; `virtcheck ab` cancels that drift by interleaving
 * and uses AB_THRESHOLD_PCT instead.
 */
export const DEFAULT_SETTINGS: CompareSettings = {
  alpha: 0.01,
  thresholdPct: 10,
  correction: 'none',
  failOn: 'regression',
  forced: false,
  ignoreConfigKeys: [],
  window: 10,
  bandK: DEFAULT_NOISE_BAND.k,
  relativeTo: 'auto',
}

export const AB_THRESHOLD_PCT = 5

/**
 * `drift`: the rule says regressed or improved, but the cell is judged on absolute values against a
 * baseline with no run-to-run band (one saved run, or fewer than 3), outside an interleaved session:
 * drift between two separate runs explains such a change as well as the change under test does.
 */
export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'inconclusive' | 'drift'

/** The numbers behind one verdict. Relative values are fractions (0.05 = +5%). */
export interface CellNumbers {
  /** Baseline runs behind this cell (1 = one saved run; more = a multi-run baseline, samples pooled). */
  readonly baseRuns: number
  /**
   * The run-to-run noise band of a multi-run baseline (at least DEFAULT_NOISE_BAND.minRuns runs);
   * absent when it is not known. medianBase is then the band's center (median of the run medians).
   */
  readonly runToRun?: NoiseBand
  readonly nBase: number
  readonly nHead: number
  readonly medianBase: number
  readonly medianHead: number
  /** median(head) / median(base) - 1 (null when the base median is 0). */
  readonly change: number | null
  /** Hodges–Lehmann shift and its Moses interval (relative on the log scale when all values > 0). */
  readonly shift: {
    readonly estimate: number
    readonly ci: readonly [number, number]
    readonly level: number
    readonly scale: 'relative' | 'absolute'
  }
  readonly p: number
  /** p after the multiple-comparison adjustment (equals p with correction none). */
  readonly pAdjusted: number
  readonly method: 'exact' | 'normal'
  readonly cvBase: number
  readonly cvHead: number
}

export interface CellKey {
  readonly tier: TierId
  readonly job: string
  readonly metric: string
}

export interface ComparedCell extends CellKey {
  readonly unit: string
  readonly better: 'higher' | 'lower'
  readonly verdict: Verdict
  /** One sentence naming the rule that decided, with its numbers. */
  readonly reason: string
  readonly numbers: CellNumbers
  /** Why this cell is not comparable (forced verdict), empty when it is. */
  readonly notComparable: readonly string[]
  /** The bench's warning flags on each side (noisy, steal, short...): context for judging the verdict. */
  readonly flags: { readonly base: readonly string[]; readonly head: readonly string[] }
  /** `virtcheck gate`: the same cell measured again after a pause; a regression stands only if this regressed too. */
  readonly confirmation?: { readonly verdict: Verdict; readonly numbers: CellNumbers; readonly source: string }
}

/** A cell that cannot be compared statistically: present on one side only, or failed. */
export interface UnpairedCell extends CellKey {
  readonly unit: string
  readonly change: 'added' | 'removed' | 'broken' | 'fixed' | 'failed-both' | 'refused'
  readonly detail: string
}

export interface TierChange {
  readonly tier: TierId
  readonly change: 'added' | 'removed' | 'broken' | 'fixed' | 'config-differs'
  readonly detail: string
}

export interface RunSide {
  readonly source: string
  /** Runs this side stands for: 1, or the number of runs loaded for a multi-run baseline. */
  readonly runs: number
  readonly label?: string
  readonly startedAt: string
  readonly hostname: string
  readonly cpuModel: string
  readonly kernel: string
  readonly mode: string
}

export interface Comparability {
  readonly comparable: boolean
  /** Human-readable reasons, e.g. `host kernel: 6.1.0 -> 6.8.0`, `tier kvm-virtio qemu: 8.2 -> 9.1`. */
  readonly problems: readonly string[]
}

export interface CompareSummary {
  readonly regressed: number
  readonly improved: number
  readonly unchanged: number
  readonly inconclusive: number
  /** Cells with verdict `drift`, and those of them in the worse direction (what `--fail-on drift` fails on). */
  readonly drift: number
  readonly driftWorse: number
  readonly added: number
  readonly removed: number
  readonly broken: number
  readonly fixed: number
}

export interface CompareReport {
  readonly schema: typeof COMPARE_SCHEMA_ID
  readonly schemaVersion: string
  readonly base: RunSide
  readonly head: RunSide
  readonly settings: CompareSettings
  /**
   * What the tier cells were judged on: `native` = each non-native cell as its ratio to native from the
   * same run (native's own cells in absolute terms), `absolute` = raw values; `why` says which rule chose.
   */
  readonly judgedOn: { readonly basis: 'native' | 'absolute'; readonly why: string }
  readonly comparability: Comparability
  /** Sorted by magnitude of change, largest first. */
  readonly cells: readonly ComparedCell[]
  readonly unpaired: readonly UnpairedCell[]
  readonly tierChanges: readonly TierChange[]
  readonly summary: CompareSummary
  /** Things the reader must know that are not verdicts (e.g. a partial, interrupted run). */
  readonly notes: readonly string[]
  /** `gate` was interrupted before its confirmation finished: the regressions are unconfirmed. */
  readonly interrupted?: boolean
  /** What the exit policy decided: true = exit 1. */
  readonly failed: boolean
  readonly failReasons: readonly string[]
}
