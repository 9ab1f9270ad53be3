/**
 * Planning (pure): which tiers run, which are reported not ready or skipped, which jobs with which
 * parameters, and the repetition/time policy. Net jobs need the network peer and IO jobs a scratch
 * target; both are filled in per tier at run time (each tier reaches them under its own address/path).
 */
import { TIER_IDS, type TierId, type TierReadiness } from '../core/tier.js'
import type { Remediation } from '../core/finding.js'
import type { JobNeed } from '../core/workload.js'

export type Mode = 'quick' | 'full'

/** What the planner needs from the workload catalog. */
export interface CatalogMetric {
  readonly metric: string
  readonly unit: string
  readonly better: 'higher' | 'lower'
}

export interface CatalogJob {
  readonly id: string
  readonly metrics: readonly CatalogMetric[]
  readonly quickParams: Readonly<Record<string, string | number>>
  readonly fullParams: Readonly<Record<string, string | number>>
  /** What the job needs from each tier (the catalog's `needs`). */
  readonly needs: readonly JobNeed[]
  /** Full mode: size (sizeMb) at this multiple of the host's last-level caches (JobParams.sizeFromHostLlc). */
  readonly fullSizeFromHostLlc?: number
}

export interface PlannedJob {
  readonly job: string
  readonly metrics: readonly CatalogMetric[]
  readonly params: Readonly<Record<string, string | number>>
  readonly needsPeer: boolean
  readonly needsTarget: boolean
}

export type TierPlan =
  | { readonly tier: TierId; readonly action: 'run' }
  | {
      readonly tier: TierId
      readonly action: 'not-ready'
      readonly reason: string
      readonly remediation?: Remediation
      readonly logTail?: string
    }
  | { readonly tier: TierId; readonly action: 'skipped'; readonly reason: string }

export interface BenchPolicy {
  readonly minReps: number
  readonly maxReps: number
  readonly ciTarget: number
  readonly jobBudgetMs: number
  readonly runBudgetMs: number
  readonly fixedReps: boolean
}

export interface BenchPlan {
  readonly mode: Mode
  readonly tiers: readonly TierPlan[]
  readonly jobs: readonly PlannedJob[]
  readonly policy: BenchPolicy
}

/** What the user chose to run and how long (bench's flags), as benchRun takes it and the plan reads it. */
export interface BenchSelection {
  readonly mode: Mode
  /** --tiers; undefined = every ready tier (the rest are listed as not ready). */
  readonly tiers?: readonly TierId[]
  /** --jobs; undefined = every job of the catalog. */
  readonly jobs?: readonly string[]
  readonly reps?: number
  /** Relative, 0.02 = ±2 %. */
  readonly ciTarget?: number
  readonly timeBudgetS?: number
}

export interface PlanInput extends BenchSelection {
  readonly readiness: readonly TierReadiness[]
  readonly catalog: readonly CatalogJob[]
  readonly hasDriver: (id: TierId) => boolean
  /** The host's last-level caches in KiB (all instances), when known. */
  readonly hostLlcKb?: number
}

/** Smallest array the host-LLC rule gives (vcwork's own rule has the same floor). */
const MIN_HOST_LLC_SIZE_MB = 16

/** The job's parameters for the mode, with a size from the host's caches where the catalog asks for one. */
const paramsFor = (c: CatalogJob, i: PlanInput): Readonly<Record<string, string | number>> => {
  if (i.mode === 'quick') return c.quickParams
  const multiple = c.fullSizeFromHostLlc
  if (multiple === undefined || i.hostLlcKb === undefined || c.fullParams['sizeMb'] !== undefined) return c.fullParams
  return { ...c.fullParams, sizeMb: Math.max(MIN_HOST_LLC_SIZE_MB, Math.ceil((multiple * i.hostLlcKb) / 1024)) }
}

export const DEFAULTS = {
  quick: { minReps: 3, maxReps: 20, ciTarget: 0.05, runBudgetS: 240, jobCapS: 15 },
  full: { minReps: 5, maxReps: 60, ciTarget: 0.02, runBudgetS: 1800, jobCapS: 90 },
} as const

export const planBench = (i: PlanInput): BenchPlan => {
  const d = DEFAULTS[i.mode]
  const wanted = i.tiers ? new Set(i.tiers) : undefined
  const tiers: TierPlan[] = []
  for (const id of TIER_IDS) {
    if (wanted && !wanted.has(id)) continue
    const r = i.readiness.find((x) => x.tier === id)
    if (!r) {
      tiers.push({ tier: id, action: 'not-ready', reason: 'the probe did not decide this tier' })
    } else if (!r.ready) {
      tiers.push({
        tier: id,
        action: 'not-ready',
        reason: r.summary,
        remediation: r.remediation,
        ...(r.logTail !== undefined ? { logTail: r.logTail } : {}),
      })
    } else if (!i.hasDriver(id)) {
      tiers.push({ tier: id, action: 'skipped', reason: 'this build of virtcheck has no driver for the tier' })
    } else {
      tiers.push({ tier: id, action: 'run' })
    }
  }
  const jobIds = i.jobs ?? i.catalog.map((j) => j.id)
  const jobs: PlannedJob[] = jobIds.map((id) => {
    const c = i.catalog.find((j) => j.id === id)
    if (!c) throw new Error(`planBench: unknown job ${id}`) // the CLI validated --jobs against the catalog
    return {
      job: id,
      metrics: c.metrics,
      params: paramsFor(c, i),
      needsPeer: c.needs.includes('peer'),
      needsTarget: c.needs.includes('disk'),
    }
  })
  const runBudgetMs = (i.timeBudgetS ?? d.runBudgetS) * 1000
  const cells = Math.max(1, tiers.filter((t) => t.action === 'run').length * Math.max(1, jobs.length))
  const policy: BenchPolicy = {
    minReps: i.reps ?? d.minReps,
    maxReps: i.reps ?? d.maxReps,
    ciTarget: i.ciTarget ?? d.ciTarget,
    // A fair share of the run budget per (tier, job), at least 2 s, at most the mode's cap.
    jobBudgetMs: Math.min(d.jobCapS * 1000, Math.max(2000, runBudgetMs / cells)),
    runBudgetMs,
    fixedReps: i.reps !== undefined,
  }
  return { mode: i.mode, tiers, jobs, policy }
}

/**
 * The plan with room for `seats` native sessions run alongside groups without native (runner.ts
 * `nativeAlongside`), each measured like one more tier: the default run budget grows by their share,
 * so the tiers keep the time they had. A budget the user gave (--time-budget) stays as it is; the
 * runner shares it out over the alongside seats too. Pure.
 */
export const withAlongsideSeats = (plan: BenchPlan, seats: number, budgetGiven: boolean): BenchPlan => {
  const tiers = plan.tiers.filter((t) => t.action === 'run').length
  if (seats <= 0 || budgetGiven || tiers === 0) return plan
  return { ...plan, policy: { ...plan.policy, runBudgetMs: Math.round((plan.policy.runBudgetMs * (tiers + seats)) / tiers) } }
}
