/**
 * compareRuns: two RunReports in, one CompareReport out. Every (tier, job, metric) present in both
 * gets a verdict from its raw samples; cells and tiers on one side only are listed, never dropped.
 */
import type { MetricResult, RunReport } from '../core/report.js'
import { adjustPValues } from '../stats/multiplicity.js'
import { cellKey, configProblems, hostProblems, paramProblems, tierChanges } from './pairing.js'
import { RELATIVE_UNIT, relativeToNative, requireNative } from './relative.js'
import { DEFAULT_NOISE_BAND } from './run-noise.js'
import { decide, RATIO_RUN_TO_RUN_PCT, testCell, type CellTest } from './verdict.js'
import {
  COMPARE_SCHEMA_ID,
  COMPARE_SCHEMA_VERSION,
  type CompareReport,
  type CompareSettings,
  type CompareSummary,
  type ComparedCell,
  type RunSide,
  type UnpairedCell,
} from './types.js'

export interface CompareInput {
  /** The newest baseline run: it decides comparability, added/removed cells and tier changes. */
  readonly base: RunReport
  readonly head: RunReport
  /**
   * Older runs of a multi-run baseline (any order). Per cell, those comparable with the head (same host,
   * tier config and job params, worked) join `base` up to settings.window runs: their samples are pooled
   * and their medians give the run-to-run noise band.
   */
  readonly earlier?: readonly RunReport[]
  /** An interleaved A/B session: drift falls on both sides, so there is no run-to-run caveat to print. */
  readonly interleaved?: boolean
  /** File names (or `A`/`B` in an A/B run) shown in the output. */
  readonly baseSource: string
  readonly headSource: string
}

const side = (r: RunReport, source: string, runs = 1): RunSide => ({
  source,
  runs,
  ...(r.label === undefined ? {} : { label: r.label }),
  startedAt: r.startedAt,
  hostname: r.host.hostname,
  cpuModel: r.host.cpuModel,
  kernel: r.host.kernel,
  mode: r.reproduce.mode,
})

const magnitude = (c: ComparedCell): number => (c.numbers.change === null ? -1 : Math.abs(Math.log1p(c.numbers.change)))

const nativeCompleted = (r: RunReport): boolean => r.tiers.some((t) => t.tier === 'native' && t.state === 'completed')

/**
 * Ratios to native by default when both runs completed native: the cost of a tier is its ratio, and
 * what moved the whole host between two separate runs cancels in it (docs/compare.md). Native's own
 * cells stay absolute. `--absolute` (relativeTo none) judges raw values; `--relative-to native` insists.
 */
export const judgedOnFor = (input: CompareInput, settings: CompareSettings): CompareReport['judgedOn'] => {
  if (settings.relativeTo === 'none') return { basis: 'absolute', why: '--absolute: every cell on its raw values' }
  if (settings.relativeTo === 'native') return { basis: 'native', why: '--relative-to native' }
  if (input.head.results.every((r) => r.tier === 'native'))
    return { basis: 'absolute', why: 'only native was measured: its cells are judged on raw values' }
  const missing = [
    ...(nativeCompleted(input.base) ? [] : [`the baseline (${input.baseSource})`]),
    ...(nativeCompleted(input.head) ? [] : [`the head (${input.headSource})`]),
  ]
  if (missing.length === 0) return { basis: 'native', why: 'both runs completed native (default; --absolute judges raw values)' }
  return {
    basis: 'absolute',
    why: `${missing.join(' and ')} did not complete native, so no ratio to native exists: every cell on its raw values`,
  }
}

export const compareRuns = (input: CompareInput, settings: CompareSettings): CompareReport => {
  const judgedOn = judgedOnFor(input, settings)
  const relative = judgedOn.basis === 'native'
  if (settings.relativeTo === 'native') {
    requireNative(input.head, input.headSource)
    requireNative(input.base, input.baseSource)
  }
  const toRatios = (r: RunReport) => relativeToNative(r, { keepNative: true })
  const base = relative ? toRatios(input.base) : input.base
  const head = relative ? toRatios(input.head) : input.head
  const earlier = relative ? input.earlier?.map(toRatios) : input.earlier
  const ignore = settings.ignoreConfigKeys
  const hostIssues = hostProblems(base, head, ignore)
  const { changes, configByTier } = tierChanges(base, head, ignore)
  const headCells = new Map(head.results.map((r) => [cellKey(r), r]))
  const baseCells = new Map(base.results.map((r) => [cellKey(r), r]))
  const brokenTiers = new Set(changes.filter((c) => c.change === 'broken').map((c) => c.tier))

  const unpaired: UnpairedCell[] = []
  const pending: { b: MetricResult; h: MetricResult; test: CellTest; notComparable: string[] }[] = []
  const problems = [...hostIssues, ...[...configByTier.values()].flat()]

  // Every head cell is judged against its own baseline: the newest comparable runs (same host, tier
  // config identity and job params) in which that cell worked. One bad or partial run in a history
  // must not turn a cell into "fixed" or "added" while older runs measured it fine.
  const allBase = byTime([...(earlier ?? []), base])
  for (const h of head.results) {
    const key = { tier: h.tier, job: h.job, metric: h.metric, unit: h.unit }
    const b = baseCells.get(cellKey(h))
    if (h.state === 'failed') {
      if (!b) unpaired.push({ ...key, change: 'added', detail: `not in the base run; failed in head: ${h.error}` })
      else if (b.state === 'failed') unpaired.push({ ...key, change: 'failed-both', detail: `head: ${h.error}` })
      else unpaired.push({ ...key, change: 'broken', detail: `failed in head: ${h.error}` })
      continue
    }
    const runs = comparableResults(allBase, head, h, ignore).slice(-settings.window)
    const newest = runs.at(-1)
    if (newest) {
      const test =
        runs.length > 1
          ? testCell(
              runs.flatMap((r) => r.samples),
              h.samples,
              settings.alpha,
              { runMedians: runs.map((r) => r.stats.median), bandK: settings.bandK },
            )
          : testCell(newest.samples, h.samples, settings.alpha)
      pending.push({ b: newest, h, test, notComparable: [] })
      continue
    }
    if (!b) {
      unpaired.push({ ...key, change: 'added', detail: 'not in the base run' })
      continue
    }
    if (b.state === 'failed') {
      unpaired.push({ ...key, change: 'fixed', detail: `failed in base: ${b.error}` })
      continue
    }
    // The base measured it, but not comparably: refused, or compared and marked under --force.
    const notComparable = [...hostIssues, ...(configByTier.get(b.tier) ?? []), ...paramProblems(b, h)]
    problems.push(...paramProblems(b, h).map((p) => `${b.tier} ${b.job} ${b.metric} ${p}`))
    if (!settings.forced) unpaired.push({ ...key, change: 'refused', detail: `not comparable: ${notComparable.join('; ')}` })
    else pending.push({ b, h, test: testCell(b.samples, h.samples, settings.alpha), notComparable })
  }
  for (const b of base.results) {
    if (headCells.has(cellKey(b))) continue
    const key = { tier: b.tier, job: b.job, metric: b.metric, unit: b.unit }
    if (!brokenTiers.has(b.tier)) unpaired.push({ ...key, change: 'removed', detail: 'not in the head run' })
    else if (b.state === 'ok') unpaired.push({ ...key, change: 'broken', detail: `tier ${b.tier} did not complete in head` })
    else unpaired.push({ ...key, change: 'failed-both', detail: `tier ${b.tier} did not complete in head; failed in base: ${b.error}` })
  }

  // Only cells that can reach significance at all take part in the family for the adjustment.
  const testable = pending.filter((p) => !p.test.tooFew)
  const adjusted = adjustPValues(
    testable.map((p) => p.test.numbers.p),
    settings.correction,
  )
  const adjustedByCell = new Map(testable.map((p, i) => [p, adjusted[i] as number]))

  const cells: ComparedCell[] = pending.map((p) => {
    const pAdjusted = adjustedByCell.get(p) ?? p.test.numbers.p
    // Against a baseline without a run-to-run band, in separate runs, drift can explain a change:
    // any change of raw values, a smaller one of ratios to native (verdict.ts).
    const drift = input.interleaved || p.test.numbers.runToRun ? undefined : p.h.unit === RELATIVE_UNIT ? 'ratio' : 'raw'
    const d = decide(p.test, pAdjusted, p.b.better, settings.alpha, settings.thresholdPct, drift ? { drift } : {})
    const flags = { base: p.b.state === 'ok' ? p.b.flags : [], head: p.h.state === 'ok' ? p.h.flags : [] }
    const flagNote = [
      flags.base.length ? `base flagged ${flags.base.join(', ')}` : '',
      flags.head.length ? `head flagged ${flags.head.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ')
    return {
      tier: p.b.tier,
      job: p.b.job,
      metric: p.b.metric,
      unit: p.b.unit,
      better: p.b.better,
      verdict: d.verdict,
      reason: flagNote ? `${d.reason} (${flagNote})` : d.reason,
      numbers: { ...p.test.numbers, pAdjusted },
      notComparable: p.notComparable,
      flags,
    }
  })
  cells.sort((x, y) => magnitude(y) - magnitude(x))

  const countU = (v: string) => unpaired.filter((u) => u.change === v).length
  const summary: CompareSummary = {
    ...verdictCounts(cells),
    added: countU('added'),
    removed: countU('removed'),
    broken: countU('broken') + changes.filter((c) => c.change === 'broken' && !unpaired.some((u) => u.tier === c.tier)).length,
    fixed: countU('fixed'),
  }
  const failReasons = failureReasons(summary, settings.failOn)
  return {
    schema: COMPARE_SCHEMA_ID,
    schemaVersion: COMPARE_SCHEMA_VERSION,
    base: side(base, input.baseSource, 1 + (input.earlier?.length ?? 0)),
    head: side(head, input.headSource),
    settings,
    judgedOn,
    comparability: { comparable: problems.length === 0, problems: [...new Set(problems)] },
    cells,
    unpaired,
    tierChanges: changes,
    summary,
    notes: [
      ...(relative ? [RELATIVE_NOTE] : []),
      ...runToRunNotes(input, cells, settings.window),
      ...(base.partial ? [`the base run is partial (interrupted or still running): missing cells show as removed`] : []),
      ...(head.partial ? [`the head run is partial (interrupted or still running): missing cells show as removed`] : []),
    ],
    failed: failReasons.length > 0,
    failReasons,
  }
}

const RELATIVE_NOTE =
  "relative to native: every tier cell is the tier's ratio to native measured in the same run (paired repetition by repetition where they were interleaved, else against native's median); what slowed the whole host cancels, and so would a change that slows native as much; native's own cells are judged on their raw values"

/** The cell moved in its worse direction (for a `drift` verdict: which way it would have gone). */
/** The summary's per-verdict counts over the compared cells (a first comparison and its confirmation). */
export const verdictCounts = (
  cells: readonly ComparedCell[],
): Pick<CompareSummary, 'regressed' | 'improved' | 'unchanged' | 'inconclusive' | 'drift' | 'driftWorse'> => {
  const count = (v: ComparedCell['verdict']) => cells.filter((c) => c.verdict === v).length
  return {
    regressed: count('regressed'),
    improved: count('improved'),
    unchanged: count('unchanged'),
    inconclusive: count('inconclusive'),
    drift: count('drift'),
    driftWorse: cells.filter((c) => c.verdict === 'drift' && isWorse(c)).length,
  }
}

export const isWorse = (c: Pick<ComparedCell, 'better' | 'numbers'>): boolean => {
  const ch = c.numbers.change
  return ch !== null && (c.better === 'higher' ? ch < 0 : ch > 0)
}

const byTime = (runs: readonly RunReport[]): RunReport[] =>
  [...runs].sort((x, y) => (x.startedAt < y.startedAt ? -1 : x.startedAt > y.startedAt ? 1 : 0))

const worked = (r: MetricResult | undefined): r is Extract<MetricResult, { state: 'ok' }> => r?.state === 'ok'

/**
 * The cell in the baseline runs that can stand in for the head's configuration, oldest first: same
 * host, same tier config identity, same job params, and it worked.
 */
const comparableResults = (runs: readonly RunReport[], head: RunReport, h: MetricResult, ignore: readonly string[]) => {
  const headTier = head.tiers.find((t) => t.tier === h.tier)
  return runs.flatMap((run) => {
    const tier = run.tiers.find((t) => t.tier === h.tier)
    const r = run.results.find((x) => cellKey(x) === cellKey(h))
    if (!worked(r) || !tier || !headTier) return []
    const same =
      hostProblems(run, head, ignore).length === 0 &&
      configProblems(tier, headTier, ignore).length === 0 &&
      paramProblems(r, h).length === 0
    return same ? [r] : []
  })
}

const range = (xs: readonly number[]): string =>
  xs.length === 0 ? 'none' : Math.min(...xs) === Math.max(...xs) ? String(xs[0]) : `${Math.min(...xs)}–${Math.max(...xs)}`

/** What the reader must know about run-to-run noise: unknown while every cell had one baseline run, or how many each had. */
const runToRunNotes = (input: CompareInput, cells: readonly ComparedCell[], window: number): string[] => {
  if (input.interleaved) return []
  if (cells.every((c) => c.numbers.baseRuns === 1))
    return [
      `run-to-run noise: unknown (each cell has one comparable baseline run). The test sees each run's repetitions only; on a shared host two runs of one configuration can differ by more than that, so a cell judged on raw values that passes the rule is marked \`drift\` (unconfirmed: single baseline run) and does not fail unless --fail-on drift or any. Ratios to native cancel host drift, but not all of it: a change of a ratio below ${RATIO_RUN_TO_RUN_PCT}% is marked \`drift\` too. Compare against several baseline runs (a history folder or several files) to learn the noise band, or interleave with \`virtcheck ab\`.`,
    ]
  const banded = cells.filter((c) => c.numbers.runToRun).length
  const runs = cells.map((c) => c.numbers.baseRuns)
  return [
    `multi-run baseline: ${1 + (input.earlier?.length ?? 0)} runs loaded; each cell uses its newest comparable runs, up to ${window} (here ${range(runs)}); ${banded} of ${cells.length} cells judged against a run-to-run noise band (it needs ${DEFAULT_NOISE_BAND.minRuns} runs)`,
  ]
}

/** The runs are not comparable and --force was not given: nothing was judged, and the command refuses (exit 2). */
export const isRefused = (r: CompareReport): boolean => !r.comparability.comparable && !r.settings.forced

/** The exit policy: `regression` fails on regressions and on cells/tiers that worked in base and fail in head. */
export const failureReasons = (s: CompareSummary, failOn: CompareSettings['failOn']): string[] => {
  if (failOn === 'never') return []
  const reasons: string[] = []
  if (s.regressed > 0) reasons.push(`${s.regressed} regressed`)
  if (s.broken > 0) reasons.push(`${s.broken} broken (worked in base, fails in head)`)
  if ((failOn === 'drift' || failOn === 'any') && s.driftWorse > 0) reasons.push(`${s.driftWorse} worse but possibly run-to-run drift`)
  if (failOn === 'any') {
    if (s.drift - s.driftWorse > 0) reasons.push(`${s.drift - s.driftWorse} better but possibly run-to-run drift`)
    if (s.improved > 0) reasons.push(`${s.improved} improved`)
    if (s.removed > 0) reasons.push(`${s.removed} removed`)
    if (s.added > 0) reasons.push(`${s.added} added`)
    if (s.fixed > 0) reasons.push(`${s.fixed} fixed`)
  }
  return reasons
}
