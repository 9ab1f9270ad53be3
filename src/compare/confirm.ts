/**
 * Confirmation of regressions: `virtcheck gate` measures the regressed cells again, after a pause, in
 * one or more rounds, and keeps a regression only when every round regresses too. Alerts that do not
 * reproduce are what makes benchmark dashboards ignored (docs/compare.md, "Verdicts"); a drift episode
 * on a shared host (a neighbour's disk traffic, memory bandwidth that sags for half a minute) is
 * exactly such an alert, and one round may still fall inside it (docs/compare.md). Pure.
 */
import { cellKey } from './pairing.js'
import { failureReasons, isWorse, verdictCounts } from './compare-runs.js'
import { numbersLine } from '../../reports/compare/format.js'
import type { CompareReport, ComparedCell, TierChange } from './types.js'
import type { TierId } from '../core/tier.js'

/**
 * What the confirmation run must measure again: the tiers and jobs of the regressed cells, and native
 * too when the cells are ratios to native (`withNative`), interleaved with them as in the first run.
 */
export const confirmationScope = (r: CompareReport, withNative = false): { tiers: TierId[]; jobs: string[] } | undefined => {
  const regressed = r.cells.filter((c) => isCandidate(c, r.settings.failOn))
  if (regressed.length === 0) return undefined
  const tiers = [...new Set<TierId>([...(withNative ? (['native'] as const) : []), ...regressed.map((c) => c.tier)])]
  return { tiers, jobs: [...new Set(regressed.map((c) => c.job))] }
}

/**
 * The second run confirms when it points the same way with significance and at least half the
 * threshold: a real slowdown near the threshold lands on either side of it in two runs, and demanding
 * the full rule twice would let it through half the time.
 */
export const confirms = (second: ComparedCell, alpha: number, thresholdPct: number): boolean => {
  if (second.verdict === 'regressed' || (second.verdict === 'drift' && isWorse(second))) return true
  const ch = second.numbers.change
  if (ch === null) return false
  const worse = second.better === 'higher' ? ch < 0 : ch > 0
  return worse && second.numbers.pAdjusted < alpha && Math.abs(ch) >= thresholdPct / 200
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth']
/** Round 1 is the `second` run: the gate's own run is the first. */
const runOrdinal = (round: number): string => ORDINALS[round] ?? `${round + 1}th`

/**
 * A cell the gate measures again: a regression, or a worse `drift` cell where the policy fails on it
 * (--fail-on drift / any). A confirmed drift cell stays `drift`: a re-measurement now says nothing
 * about how the baseline run drifted.
 */
export const isCandidate = (c: ComparedCell, failOn: CompareReport['settings']['failOn']): boolean =>
  c.verdict === 'regressed' || (c.verdict === 'drift' && isWorse(c) && (failOn === 'drift' || failOn === 'any'))

const confirmCell = (
  c: ComparedCell,
  second: ComparedCell | undefined,
  round: number,
  delayS: number,
  source: string,
  settings: CompareReport['settings'],
): ComparedCell => {
  if (!isCandidate(c, settings.failOn)) return c
  const nth = runOrdinal(round)
  // No second measurement (the job failed or timed out, the tier broke): the regression stands.
  if (!second)
    return {
      ...c,
      reason: `${c.reason}; not confirmed either way: the ${nth} run (${source}) has no comparable result for this cell, so the regression stands`,
    }
  const confirmation = { verdict: second.verdict, numbers: second.numbers, source }
  if (confirms(second, settings.alpha, settings.thresholdPct))
    return { ...c, reason: `${c.reason}; confirmed by a ${nth} run ${delayS} s later (${source}): ${numbersLine(second)}`, confirmation }
  const earlier = c.confirmation
  const before = earlier ? `; the ${runOrdinal(round - 1)} run (${earlier.source}) still regressed` : ''
  return {
    ...c,
    verdict: 'inconclusive',
    reason: `did not reproduce: first run ${numbersLine(c)}, ${c.verdict}${before}; a ${nth} run ${delayS} s later (${source}): ${second.verdict}, ${numbersLine(second)} — a passing disturbance, not a change`,
    confirmation,
  }
}

/** The first comparison with each regression replaced by its confirmed or unconfirmed verdict. */
export const applyConfirmation = (first: CompareReport, second: CompareReport, delayS: number, round = 1): CompareReport => {
  const byKey = new Map(second.cells.map((c) => [cellKey(c), c]))
  const cells = first.cells.map((c) => confirmCell(c, byKey.get(cellKey(c)), round, delayS, second.head.source, first.settings))
  const summary = { ...first.summary, ...verdictCounts(cells) }
  const failReasons = failureReasons(summary, first.settings.failOn)
  const brokenInSecond: TierChange[] = second.tierChanges.filter((t) => t.change === 'broken')
  const failOn = first.settings.failOn
  // the cells this round measured: those still regressed (or failing drift) before it
  const wasRegressed = new Set(first.cells.filter((c) => isCandidate(c, failOn)).map(cellKey))
  const measured = wasRegressed.size
  const measuredNow = cells.filter((c) => wasRegressed.has(cellKey(c)))
  const confirmed = measuredNow.filter((c) => isCandidate(c, failOn) && byKey.has(cellKey(c))).length
  const dropped = measuredNow.filter((c) => !isCandidate(c, failOn)).length
  const unmeasured = measured - confirmed - dropped
  return {
    ...first,
    cells,
    summary,
    failed: failReasons.length > 0,
    failReasons,
    notes: [
      ...first.notes,
      `confirmation ${round}: the ${measured} regressed cell(s) were measured again ${delayS} s later (${second.head.source}): ${confirmed} confirmed, ${dropped} did not reproduce${unmeasured ? `, ${unmeasured} without a second result (kept as regressed)` : ''}`,
      ...brokenInSecond.map((t) => `confirmation run ${round}: ${t.detail}`),
    ],
  }
}

/** The comparison so far when the gate is interrupted before confirmation round `round` finished. */
export const interruptedInConfirmation = (r: CompareReport, round: number): CompareReport => ({
  ...r,
  interrupted: true,
  notes: [
    ...r.notes,
    `interrupted during confirmation ${round}: the ${r.summary.regressed} regressed cell(s) below were not confirmed by that round`,
  ],
})
