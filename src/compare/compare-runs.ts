/**
 * compareRuns: two RunReports in, one CompareReport out. Every (tier, job, metric) present in both
 * gets a verdict from its raw samples; cells and tiers on one side only are listed, never dropped.
 */
import type { MetricResult, RunReport } from '../core/report.js'
import { adjustPValues } from './stats/multiplicity.js'
import { cellKey, hostProblems, paramProblems, tierChanges } from './pairing.js'
import { decide, testCell, type CellTest } from './verdict.js'
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
  readonly base: RunReport
  readonly head: RunReport
  /** File names (or `A`/`B` in an A/B run) shown in the output. */
  readonly baseSource: string
  readonly headSource: string
}

const side = (r: RunReport, source: string): RunSide => ({
  source,
  ...(r.label === undefined ? {} : { label: r.label }),
  startedAt: r.startedAt,
  hostname: r.host.hostname,
  cpuModel: r.host.cpuModel,
  kernel: r.host.kernel,
  mode: r.reproduce.mode,
})

const magnitude = (c: ComparedCell): number => (c.numbers.change === null ? -1 : Math.abs(Math.log1p(c.numbers.change)))

export const compareRuns = (input: CompareInput, settings: CompareSettings): CompareReport => {
  const { base, head } = input
  const ignore = settings.ignoreConfigKeys
  const hostIssues = hostProblems(base, head, ignore)
  const { changes, configByTier } = tierChanges(base, head, ignore)
  const headCells = new Map(head.results.map((r) => [cellKey(r), r]))
  const baseCells = new Map(base.results.map((r) => [cellKey(r), r]))
  const brokenTiers = new Set(changes.filter((c) => c.change === 'broken').map((c) => c.tier))

  const unpaired: UnpairedCell[] = []
  const pending: { b: MetricResult; h: MetricResult; test: CellTest; notComparable: string[] }[] = []
  const problems = [...hostIssues, ...[...configByTier.values()].flat()]

  for (const b of base.results) {
    const h = headCells.get(cellKey(b))
    const key = { tier: b.tier, job: b.job, metric: b.metric, unit: b.unit }
    if (!h) {
      const broken = brokenTiers.has(b.tier)
      unpaired.push({ ...key, change: broken ? 'broken' : 'removed', detail: broken ? `tier ${b.tier} did not complete in head` : 'not in the head run' })
      continue
    }
    if (b.state === 'failed' && h.state === 'failed') unpaired.push({ ...key, change: 'failed-both', detail: `head: ${h.error}` })
    else if (h.state === 'failed') unpaired.push({ ...key, change: 'broken', detail: `failed in head: ${h.error}` })
    else if (b.state === 'failed') unpaired.push({ ...key, change: 'fixed', detail: `failed in base: ${b.error}` })
    else {
      const notComparable = [...hostIssues, ...(configByTier.get(b.tier) ?? []), ...paramProblems(b, h)]
      problems.push(...paramProblems(b, h).map((p) => `${b.tier} ${b.job} ${b.metric} ${p}`))
      if (notComparable.length > 0 && !settings.forced) {
        unpaired.push({ ...key, change: 'refused', detail: `not comparable: ${notComparable.join('; ')}` })
        continue
      }
      pending.push({ b, h, test: testCell(b.samples, h.samples, settings.alpha), notComparable })
    }
  }
  for (const h of head.results) {
    if (!baseCells.has(cellKey(h))) unpaired.push({ tier: h.tier, job: h.job, metric: h.metric, unit: h.unit, change: 'added', detail: 'not in the base run' })
  }

  // Only cells that can reach significance at all take part in the family for the adjustment.
  const testable = pending.filter((p) => !p.test.tooFew)
  const adjusted = adjustPValues(testable.map((p) => p.test.numbers.p), settings.correction)
  const adjustedByCell = new Map(testable.map((p, i) => [p, adjusted[i] as number]))

  const cells: ComparedCell[] = pending.map((p) => {
    const pAdjusted = adjustedByCell.get(p) ?? p.test.numbers.p
    const d = decide(p.test, pAdjusted, p.b.better, settings.alpha, settings.thresholdPct)
    const flags = { base: p.b.state === 'ok' ? p.b.flags : [], head: p.h.state === 'ok' ? p.h.flags : [] }
    const flagNote = [flags.base.length ? `base flagged ${flags.base.join(', ')}` : '', flags.head.length ? `head flagged ${flags.head.join(', ')}` : ''].filter(Boolean).join('; ')
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

  const count = (v: string) => cells.filter((c) => c.verdict === v).length
  const countU = (v: string) => unpaired.filter((u) => u.change === v).length
  const summary: CompareSummary = {
    regressed: count('regressed'),
    improved: count('improved'),
    unchanged: count('unchanged'),
    inconclusive: count('inconclusive'),
    added: countU('added'),
    removed: countU('removed'),
    broken: countU('broken') + changes.filter((c) => c.change === 'broken' && !unpaired.some((u) => u.tier === c.tier)).length,
    fixed: countU('fixed'),
  }
  const failReasons = failureReasons(summary, settings.failOn)
  return {
    schema: COMPARE_SCHEMA_ID,
    schemaVersion: COMPARE_SCHEMA_VERSION,
    base: side(base, input.baseSource),
    head: side(head, input.headSource),
    settings,
    comparability: { comparable: problems.length === 0, problems: [...new Set(problems)] },
    cells,
    unpaired,
    tierChanges: changes,
    summary,
    notes: [
      ...(base.partial ? [`the base run is partial (interrupted or still running): missing cells show as removed`] : []),
      ...(head.partial ? [`the head run is partial (interrupted or still running): missing cells show as removed`] : []),
    ],
    failed: failReasons.length > 0,
    failReasons,
  }
}

/** The exit policy: `regression` fails on regressions and on cells/tiers that worked in base and fail in head. */
export const failureReasons = (s: CompareSummary, failOn: CompareSettings['failOn']): string[] => {
  if (failOn === 'never') return []
  const reasons: string[] = []
  if (s.regressed > 0) reasons.push(`${s.regressed} regressed`)
  if (s.broken > 0) reasons.push(`${s.broken} broken (worked in base, fails in head)`)
  if (failOn === 'any') {
    if (s.improved > 0) reasons.push(`${s.improved} improved`)
    if (s.removed > 0) reasons.push(`${s.removed} removed`)
    if (s.added > 0) reasons.push(`${s.added} added`)
    if (s.fixed > 0) reasons.push(`${s.fixed} fixed`)
  }
  return reasons
}
