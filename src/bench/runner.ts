/**
 * The runner: for each planned tier, open a session (hard start timeout), run every job adaptively,
 * measure boot/first-job/overhead, close; build the RunReport incrementally and hand a partial copy to
 * `onPartial` after each tier, so a crash loses nothing. A tier that fails to open is data (state
 * 'failed', reason, log tail) and the run goes on. Ctrl-C: stop, close the session, mark what is left
 * 'interrupted', save the partial report.
 */
import { isVirtcheckError } from '../core/errors.js'
import type { MetricResult, RunReport, RunWarning, TierRun } from '../core/report.js'
import { tierInfo, type PeerNetwork, type TierDriver, type TierId, type TierOpenContext, type TierSession } from '../core/tier.js'
import { runAdaptive } from './adaptive.js'
import { pinningLabel } from './cpu-walk.js'
import { pinnedRunner, takeTurns } from './group-turns.js'
import { consecutiveGroups } from './interleave-groups.js'
import { roundGate, type GateSeat } from './round-gate.js'
import type { BenchPlan, PlannedJob, TierPlan } from './plan.js'
import { silentProgress, type ProgressSink } from './progress.js'
import { cellFromAdaptive, failedCell, withRatios } from './results.js'
import { closeBounded, errorMessage, errorTail, openWithTimeout } from './tier-session.js'

export type ReportBase = Omit<RunReport, 'tiers' | 'results' | 'warnings' | 'partial' | 'finishedAt'> & {
  readonly warnings?: readonly RunWarning[]
}

export interface RunnerInput {
  readonly plan: BenchPlan
  readonly drivers: (id: TierId) => TierDriver | undefined
  readonly base: ReportBase
  /** Everything of TierOpenContext except the per-tier options and the network. */
  readonly context: Omit<TierOpenContext, 'options' | 'network'>
  readonly options?: Partial<Record<TierId, Readonly<Record<string, string>>>>
  /** The peer for containers and guests; undefined with a reason when it could not be created. */
  readonly network?: PeerNetwork
  readonly networkUnavailable?: string
  readonly onPartial?: (report: RunReport) => Promise<void> | void
  readonly progress?: ProgressSink
  readonly now?: () => number
  /** Extra grace on top of startTimeoutMs before the runner stops waiting for open(). */
  readonly openGraceMs?: number
  /**
   * Other load on the host while a tier ran: runnable tasks beyond virtcheck's own, as a fraction of
   * the CPUs (e.g. from /proc/loadavg). Tiers run one after another, so a busy host biases ratios.
   */
  readonly hostLoad?: () => Promise<{ readonly load1: number; readonly cpus: number } | undefined>
  /**
   * The interleaved group a tier belongs to (src/bench/interleave-groups.ts); consecutive tiers of one
   * group are open together and take turns. Undefined: the tier runs on its own.
   */
  readonly interleave?: (tier: TierId) => string | undefined
  /** Tiers whose vcwork is a process on host CPUs (native, containers), so a CPU number means a host CPU. */
  readonly onHostCpus?: (tier: TierId) => boolean
  /**
   * When native runs, every group without it gets a native session of its own that takes turns with
   * the group's tiers (`nativeAlongside` on their results): their ratios to native are then pairs of
   * one moment too, not two medians taken minutes apart. On the development host the shared disk's
   * sequential reads moved 1171-1845 MB/s within ten minutes, so tcg-virtio io.seq read came out at
   * 1.46x and 1.50x the native measured earlier (docs/fidelity.md).
   */
  readonly nativeAlongside?: boolean
  /**
   * CPUs that the repetitions of those tiers walk through (src/bench/cpu-walk.ts): one repetition per
   * request, pinned; in an interleaved group every tier's repetition k runs on the same CPU. Fewer than
   * two CPUs: no pinning.
   */
  readonly pinCpus?: readonly number[]
}

export interface RunnerOutput {
  readonly report: RunReport
  readonly interrupted: boolean
  /** Any tier failed or any job failed. */
  readonly anyFailed: boolean
}

export const runBench = async (input: RunnerInput): Promise<RunnerOutput> => {
  const { plan } = input
  const now = input.now ?? (() => performance.now())
  const progress = input.progress ?? silentProgress
  const signal = input.context.signal
  const deadline = now() + plan.policy.runBudgetMs
  /**
   * The deadline of the group that runs now: its fair share (by cells) of what is left of the run
   * budget, so a tier that overshoots (a slow boot, a busy host) cannot starve the tiers after it;
   * time a group leaves unused goes to the groups after it.
   */
  let groupDeadline = deadline
  const tiers: TierRun[] = []
  const results: MetricResult[] = []
  const warnings: RunWarning[] = [...(input.base.warnings ?? [])]
  const runnable = plan.tiers.filter((t) => t.action === 'run')
  const cells = runnable.length * plan.jobs.length
  let cell = 0
  let interrupted = false
  const overheads = new Map<TierId, number>()

  const snapshot = (partial: boolean): RunReport => ({
    ...input.base,
    partial,
    finishedAt: new Date().toISOString(),
    tiers: [...tiers],
    results: withRatios(results, new Set(tiers.filter((t) => t.interleavedWith?.includes('native')).map((t) => t.tier))),
    warnings: [...warnings],
  })
  const savePartial = async () => {
    try {
      await input.onPartial?.(snapshot(true))
    } catch (e) {
      progress.note(`warning: could not save partial results: ${errorMessage(e)}`)
    }
  }

  // Consecutive tiers of one interleave group (native and containers; the two guests of an
  // accelerator) run together: all sessions open at once and every job alternates repetition by
  // repetition between them, so load that comes and goes on the host hits every tier alike (the A/B
  // interleaving of hyperfine and Firecracker's ab_test).
  const groups = consecutiveGroups(
    plan.tiers,
    (tp) => input.interleave?.(tp.tier),
    (tp) => tp.action === 'run',
  )

  // native alongside a group is measured like one more tier of it, for the shares of the run budget
  const shareCells = (group: readonly TierPlan[]) =>
    (group.length + (group[0]?.action === 'run' && wantsNativeAlongside(group.map((t) => t.tier)) ? 1 : 0)) * plan.jobs.length
  let cellsLeft = groups.reduce((sum, g) => sum + (g[0]?.action === 'run' ? shareCells(g) : 0), 0)
  for (const group of groups) {
    if (signal.aborted) interrupted = true
    if (interrupted) {
      for (const tp of group)
        tiers.push({ tier: tp.tier, state: 'interrupted', reason: 'the run was interrupted before this tier', config: {}, durationMs: 0 })
      continue
    }
    const first = group[0]!
    if (first.action !== 'run') {
      tiers.push(notRunTier(first))
      continue
    }
    const groupCells = shareCells(group)
    groupDeadline = Math.min(deadline, now() + Math.max(0, deadline - now()) * (groupCells / Math.max(groupCells, cellsLeft)))
    cellsLeft -= groupCells
    const runs = await runGroup(group.map((t) => t.tier))
    const load = await input.hostLoad?.().catch(() => undefined)
    for (const run of runs) {
      tiers.push(run)
      if (load && run.state === 'completed' && load.load1 > load.cpus) {
        warnings.push({
          code: 'host-busy',
          tier: run.tier,
          message: `${run.tier}: the host was busy while this tier ran (load average ${load.load1.toFixed(1)} on ${load.cpus} CPUs)`,
          hint:
            group.length > 1
              ? 'Repetitions of these tiers were interleaved, which evens out the bias, but the spread is larger; rerun on an idle host for tight intervals.'
              : 'Tiers that run one after another see different load, which biases the ratios to native; rerun on an idle host.',
        })
      }
    }
    await savePartial()
  }
  progress.done()
  const report = snapshot(interrupted)
  const anyFailed = report.tiers.some((t) => t.state === 'failed') || report.results.some((r) => r.state === 'failed')
  return { report, interrupted, anyFailed }

  interface OpenTier {
    readonly tier: TierId
    readonly session: TierSession
    readonly t0: number
    readonly openMs: number
    firstJobMs?: number
    interrupted: boolean
    /** This tier's own request time (it waits while interleaved tiers run theirs). */
    busyMs: number
    /** Native run alongside a group without it: its samples pair with the group's, it is no tier of the report. */
    readonly alongside?: boolean
  }

  /** The tier's session with its --tier-opt options and the run's network, within the start timeout. */
  function openSession(tier: TierId, driver: TierDriver): Promise<TierSession> {
    const options = input.options?.[tier]
    const ctx: TierOpenContext = {
      ...input.context,
      ...(options ? { options } : {}),
      ...(input.network ? { network: input.network } : {}),
    }
    return openWithTimeout(driver, ctx, input.context.startTimeoutMs + (input.openGraceMs ?? 5_000))
  }

  async function openTier(tier: TierId): Promise<OpenTier | TierRun> {
    const driver = input.drivers(tier)
    const t0 = now()
    if (!driver) return { tier, state: 'skipped', reason: 'no driver for this tier', config: {}, durationMs: 0 }
    progress.note(`${tier}: starting`)
    try {
      const session = await openSession(tier, driver)
      return { tier, session, t0, openMs: now() - t0, interrupted: false, busyMs: 0 }
    } catch (e) {
      if (isVirtcheckError(e)) throw e // misuse (a bad --tier-opt), not a measured failure
      const aborted = signal.aborted
      if (aborted) interrupted = true
      // Its jobs become failed cells so the matrix shows them with the reason.
      const reason = aborted ? 'interrupted while starting' : errorMessage(e)
      if (!aborted) for (const job of plan.jobs) results.push(...failedCell(tier, job, `${tier} did not start: ${reason}`).results)
      progress.note(`${tier}: ${aborted ? 'interrupted' : 'failed to start'}: ${reason}`)
      const tail = errorTail(e)
      return {
        tier,
        state: aborted ? 'interrupted' : 'failed',
        reason,
        config: {},
        durationMs: now() - t0,
        ...(tail ? { logTail: tail } : {}),
      }
    }
  }

  async function runGroup(ids: readonly TierId[]): Promise<TierRun[]> {
    const opened: (OpenTier | TierRun)[] = []
    for (const id of ids) opened.push(await openTier(id))
    const members = opened.filter((o): o is OpenTier => 'session' in o)
    const reference = members.length > 0 && wantsNativeAlongside(ids) ? await openAlongside() : undefined
    const live = reference ? [...members, reference] : members
    const onHostCpus = (t: OpenTier) => input.onHostCpus?.(t.tier) === true || t.session.pinsHostCpus === true
    const hostPins = (input.pinCpus?.length ?? 0) > 1 ? input.pinCpus : undefined
    // the whole group walks the CPUs when all of it runs on them; else native alongside walks alone
    const pin = hostPins && members.length > 0 && members.every(onHostCpus) ? hostPins : undefined
    const pinOf = (t: OpenTier) => pin ?? (t.alongside && onHostCpus(t) ? hostPins : undefined)
    // A pinned group rotates its order once per walk (round-gate.ts); beside unpinned guests, native's
    // walk only needs the group to stop where that walk is whole.
    const gateWalk = pin?.length ?? 1
    const ownWalk = live.some((t) => pinOf(t) && !pin) ? (hostPins?.length ?? 1) : 1
    const cellBase = cell
    cell += ids.length * plan.jobs.length
    const cellOf = (tier: TierId, jobIndex: number) => cellBase + jobIndex * ids.length + ids.indexOf(tier)
    const turns = takeTurns(now)
    const inTurn = (t: OpenTier) => turns(t.session, (ms) => (t.busyMs += ms))
    try {
      for (const [jobIndex, job] of plan.jobs.entries()) {
        if (signal.aborted || live.some((t) => t.interrupted)) {
          for (const t of live) t.interrupted = true
          break
        }
        const seats = live.length > 1 ? roundGate(live.length, gateWalk) : undefined
        const alongside = new Map<string, readonly number[]>()
        await Promise.all(
          live.map((t, i) =>
            // a tier that ends (done, failed, interrupted) leaves its seat so the others stop waiting for it
            runJob(t, job, cellOf(t.tier, jobIndex), seats ? inTurn(t) : t.session, seats?.[i], pinOf(t), ownWalk, alongside).finally(() =>
              seats?.[i]?.leave(),
            ),
          ),
        )
        if (reference) pairWithAlongside(job, members, alongside)
      }
    } finally {
      for (const t of members) {
        // measured before close, while the tier's machinery still runs
        const overhead = await t.session.overheadRssBytes?.().catch(() => undefined)
        if (overhead !== undefined) overheads.set(t.tier, overhead)
      }
      await Promise.all(live.map((t) => closeBounded(t.session)))
    }
    if (live.some((t) => t.interrupted)) interrupted = true
    const together = members.length > 1 ? members.map((t) => t.tier) : undefined
    return opened.map((o) => ('session' in o ? finishTier(o, pin, together) : o))
  }

  async function runJob(
    t: OpenTier,
    job: PlannedJob,
    index: number,
    runner: Pick<TierSession, 'run'>,
    seat: GateSeat | undefined,
    pin: readonly number[] | undefined,
    /** The walk of native alongside unpinned tiers: the group stops only where it is whole. */
    ownWalk: number,
    /** Where native alongside leaves its samples (metric -> samples) instead of the report. */
    alongside: Map<string, readonly number[]>,
  ): Promise<void> {
    const tier = t.tier
    if (t.interrupted) return
    if (job.needsPeer && tierInfo(tier).netPeer === 'run-network' && !input.network) {
      results.push(...failedCell(tier, job, `network peer unavailable: ${input.networkUnavailable ?? 'not set up'}`).results)
      progress.job({ tier, job: job.job, reps: 0, ciHalfWidth: Number.NaN, cell: index, cells, finished: true })
      return
    }
    const isFirst = t.firstJobMs === undefined
    const run = await runAdaptive(
      pin ? pinnedRunner(runner, pin) : runner,
      { job: job.job, params: job.params },
      {
        minReps: plan.policy.minReps,
        maxReps: plan.policy.maxReps,
        ciTarget: plan.policy.ciTarget,
        jobBudgetMs: plan.policy.jobBudgetMs,
        deadline: groupDeadline,
      },
      {
        signal,
        now,
        ...(seat || pin ? { maxBatch: 1 } : {}),
        // stop only where every CPU had every tier first equally often (round-gate.ts)
        ...(seat ? { repsMultipleOf: lcm(seat.rotation, ownWalk) } : pin ? { repsMultipleOf: pin.length } : {}),
        ...(seat ? { jobNow: () => t.busyMs, together: seat, targetFromReps: groupTargetFrom(seat.rotation) } : {}),
        ...(isFirst && !plan.policy.fixedReps ? { firstBatch: 1 } : {}),
        onProgress: (p) => {
          if (!t.alongside)
            progress.job({ tier, job: job.job, reps: p.reps, ciHalfWidth: p.ciHalfWidth, cell: index, cells, finished: false })
        },
      },
    )
    if (t.alongside) {
      // an interruption is the group's business; a failure only costs the group its pairs
      if (run.stop === 'interrupted') t.interrupted = true
      for (const r of cellFromAdaptive(tier, job, run, plan.policy.ciTarget, pin).results)
        if (r.state === 'ok') alongside.set(r.metric, r.samples)
      return
    }
    if (isFirst && run.firstBatchMs !== undefined && run.samples.length > 0) t.firstJobMs = t.openMs + run.firstBatchMs
    if (run.stop === 'interrupted') {
      t.interrupted = true
      // the job in flight stays in the matrix: its completed repetitions, or "interrupted before this job produced samples"
      results.push(...cellFromAdaptive(tier, job, run, plan.policy.ciTarget, pin).results)
      return
    }
    const out = cellFromAdaptive(tier, job, run, plan.policy.ciTarget, pin)
    results.push(...out.results)
    warnings.push(...out.warnings)
    progress.job({ tier, job: job.job, reps: run.reps, ciHalfWidth: run.ciHalfWidth, cell: index, cells, finished: true })
    if (run.failure) progress.note(`${tier} ${job.job}: failed: ${run.failure.reason}`)
  }

  /** Native runs in this group too: the plan runs native and the group is not native's own. */
  function wantsNativeAlongside(ids: readonly TierId[]): boolean {
    return input.nativeAlongside === true && !ids.includes('native') && runnable.some((t) => t.tier === 'native')
  }

  /** A native session for a group without native; undefined (with a warning) when it does not open. */
  async function openAlongside(): Promise<OpenTier | undefined> {
    const driver = input.drivers('native')
    if (!driver) return undefined
    try {
      const session = await openSession('native', driver)
      return { tier: 'native', session, t0: now(), openMs: 0, interrupted: false, busyMs: 0, alongside: true }
    } catch (e) {
      if (isVirtcheckError(e)) throw e
      if (signal.aborted) return undefined // the group stops anyway; nothing to warn about
      const reason = errorMessage(e)
      progress.note(`native alongside: failed to start: ${reason}`)
      warnings.push({
        code: 'native-alongside-failed',
        message: `native could not run alongside the next tiers (${reason}); their ratios to native are ratios of medians taken apart`,
        hint: 'Ratios of tiers measured minutes apart move with the host; rerun when native starts.',
      })
      return undefined
    }
  }

  /** The job's results of the group's tiers get native's samples of the same metric from alongside them. */
  function pairWithAlongside(job: PlannedJob, members: readonly OpenTier[], alongside: ReadonlyMap<string, readonly number[]>): void {
    const tiers = new Set(members.map((t) => t.tier))
    for (const [i, r] of results.entries()) {
      const nat = alongside.get(r.metric)
      if (r.state === 'ok' && r.job === job.job && tiers.has(r.tier) && nat?.length) results[i] = { ...r, nativeAlongside: nat }
    }
  }

  function finishTier(t: OpenTier, pin: readonly number[] | undefined, interleavedWith: readonly TierId[] | undefined): TierRun {
    const state: TierRun['state'] = t.interrupted ? 'interrupted' : 'completed'
    progress.note(`${t.tier}: ${state} in ${((now() - t.t0) / 1000).toFixed(1)} s`)
    const overhead = overheads.get(t.tier)
    return {
      tier: t.tier,
      state,
      ...(t.interrupted ? { reason: 'interrupted' } : {}),
      config: pin ? { ...t.session.config, cpuPinning: pinningLabel(pin) } : t.session.config,
      ...(interleavedWith ? { interleavedWith } : {}),
      ...(t.session.bootMs !== undefined ? { bootMs: t.session.bootMs } : {}),
      ...(t.firstJobMs !== undefined ? { firstJobMs: t.firstJobMs } : {}),
      ...(overhead !== undefined ? { overheadRssBytes: overhead } : {}),
      durationMs: now() - t.t0,
    }
  }
}

/**
 * Where an interleaved group's CI target starts to count: two whole rotations (every tier first on every
 * CPU twice). What such a group reports is the paired ratio, and each tier's own CI target was met after
 * one rotation: a separately taken A/A run with 4 pairs judged container mem.stream triad "improved
 * +12%" against one with 20 (benchmarks/results/compare-aa-separate-runs-2026-12-04.txt). The budgets
 * still stop a job before it: as a hard minimum it made a four-tier group (16 repetitions each) use up
 * its share of the run, and its io and net jobs never ran.
 */
export const groupTargetFrom = (rotation: number): number => 2 * rotation

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))
const lcm = (a: number, b: number): number => (a * b) / gcd(a, b)

const notRunTier = (tp: Exclude<TierPlan, { action: 'run' }>): TierRun => ({
  tier: tp.tier,
  state: tp.action,
  reason: tp.reason,
  config: {},
  durationMs: 0,
  ...(tp.action === 'not-ready' && tp.logTail ? { logTail: tp.logTail } : {}),
})
