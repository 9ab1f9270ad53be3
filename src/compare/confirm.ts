/**
 * Confirmation of regressions: `virtcheck gate` measures the regressed cells a second time, after a
 * pause, and keeps a regression only when the second run regresses too. Alerts that do not reproduce
 * are the failure the anchor dashboards are known for (bench-anchors.md §4); a drift episode on a
 * shared host (a neighbour's disk traffic for half a minute) is exactly such an alert. Pure.
 */
import { cellKey } from './pairing.js'
import { failureReasons } from './compare-runs.js'
import { numbersLine } from './render/format.js'
import type { CompareReport, ComparedCell, TierChange } from './types.js'
import type { TierId } from '../core/tier.js'

/** What the confirmation run must measure again: the tiers and jobs of the regressed cells. */
export const confirmationScope = (r: CompareReport): { tiers: TierId[]; jobs: string[] } | undefined => {
  const regressed = r.cells.filter((c) => c.verdict === 'regressed')
  if (regressed.length === 0) return undefined
  return { tiers: [...new Set(regressed.map((c) => c.tier))], jobs: [...new Set(regressed.map((c) => c.job))] }
}

/**
 * The second run confirms when it points the same way with significance and at least half the
 * threshold: a real slowdown near the threshold lands on either side of it in two runs, and demanding
 * the full rule twice would let it through half the time.
 */
export const confirms = (second: ComparedCell, alpha: number, thresholdPct: number): boolean => {
  if (second.verdict === 'regressed') return true
  const ch = second.numbers.change
  if (ch === null) return false
  const worse = second.better === 'higher' ? ch < 0 : ch > 0
  return worse && second.numbers.pAdjusted < alpha && Math.abs(ch) >= thresholdPct / 200
}

const confirmCell = (c: ComparedCell, second: ComparedCell | undefined, delayS: number, source: string, settings: CompareReport['settings']): ComparedCell => {
  if (c.verdict !== 'regressed') return c
  // No second measurement (the job failed or timed out, the tier broke): the regression stands.
  if (!second)
    return { ...c, reason: `${c.reason}; not confirmed either way: the second run (${source}) has no comparable result for this cell, so the regression stands` }
  const confirmation = { verdict: second.verdict, numbers: second.numbers, source }
  if (confirms(second, settings.alpha, settings.thresholdPct))
    return { ...c, reason: `${c.reason}; confirmed by a second run ${delayS} s later (${source}): ${numbersLine(second)}`, confirmation }
  return {
    ...c,
    verdict: 'inconclusive',
    reason: `did not reproduce: first run ${numbersLine(c)}, regressed; a second run ${delayS} s later (${source}): ${second.verdict}, ${numbersLine(second)} — a passing disturbance, not a change`,
    confirmation,
  }
}

/** The first comparison with each regression replaced by its confirmed or unconfirmed verdict. */
export const applyConfirmation = (first: CompareReport, second: CompareReport, delayS: number): CompareReport => {
  const byKey = new Map(second.cells.map((c) => [cellKey(c), c]))
  const cells = first.cells.map((c) => confirmCell(c, byKey.get(cellKey(c)), delayS, second.head.source, first.settings))
  const count = (v: string) => cells.filter((c) => c.verdict === v).length
  const summary = { ...first.summary, regressed: count('regressed'), improved: count('improved'), unchanged: count('unchanged'), inconclusive: count('inconclusive') }
  const failReasons = failureReasons(summary, first.settings.failOn)
  const brokenInSecond: TierChange[] = second.tierChanges.filter((t) => t.change === 'broken')
  const measured = first.summary.regressed
  const confirmed = cells.filter((c) => c.verdict === 'regressed' && c.confirmation).length
  const dropped = cells.filter((c) => c.verdict !== 'regressed' && c.confirmation).length
  const unmeasured = measured - confirmed - dropped
  return {
    ...first,
    cells,
    summary,
    failed: failReasons.length > 0,
    failReasons,
    notes: [
      ...first.notes,
      `confirmation: the ${measured} regressed cell(s) were measured again ${delayS} s later (${second.head.source}): ${confirmed} confirmed, ${dropped} did not reproduce${unmeasured ? `, ${unmeasured} without a second result (kept as regressed)` : ''}`,
      ...brokenInSecond.map((t) => `confirmation run: ${t.detail}`),
    ],
  }
}
