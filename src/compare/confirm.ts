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

const confirmCell = (c: ComparedCell, second: ComparedCell | undefined, delayS: number, source: string): ComparedCell => {
  if (c.verdict !== 'regressed') return c
  if (second?.verdict === 'regressed')
    return {
      ...c,
      reason: `${c.reason}; confirmed by a second run ${delayS} s later (${source}): ${numbersLine(second)}`,
      confirmation: { verdict: second.verdict, numbers: second.numbers, source },
    }
  return {
    ...c,
    verdict: 'inconclusive',
    reason: second
      ? `did not reproduce: first run ${numbersLine(c)}, regressed; a second run ${delayS} s later (${source}): ${second.verdict}, ${numbersLine(second)} — a passing disturbance, not a change`
      : `could not be confirmed: the second run (${source}) has no result for this cell`,
    ...(second ? { confirmation: { verdict: second.verdict, numbers: second.numbers, source } } : {}),
  }
}

/** The first comparison with each regression replaced by its confirmed or unconfirmed verdict. */
export const applyConfirmation = (first: CompareReport, second: CompareReport, delayS: number): CompareReport => {
  const byKey = new Map(second.cells.map((c) => [cellKey(c), c]))
  const cells = first.cells.map((c) => confirmCell(c, byKey.get(cellKey(c)), delayS, second.head.source))
  const count = (v: string) => cells.filter((c) => c.verdict === v).length
  const summary = { ...first.summary, regressed: count('regressed'), improved: count('improved'), unchanged: count('unchanged'), inconclusive: count('inconclusive') }
  const failReasons = failureReasons(summary, first.settings.failOn)
  const brokenInSecond: TierChange[] = second.tierChanges.filter((t) => t.change === 'broken')
  const confirmed = cells.filter((c) => c.confirmation?.verdict === 'regressed').length
  const dropped = cells.filter((c) => c.confirmation && c.confirmation.verdict !== 'regressed').length
  return {
    ...first,
    cells,
    summary,
    failed: failReasons.length > 0,
    failReasons,
    notes: [
      ...first.notes,
      `confirmation: the ${confirmed + dropped} regressed cell(s) were measured again ${delayS} s later (${second.head.source}): ${confirmed} confirmed, ${dropped} did not reproduce`,
      ...brokenInSecond.map((t) => `confirmation run: ${t.detail}`),
    ],
  }
}
