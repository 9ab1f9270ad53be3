/**
 * The few numbers a person reads first: how many tiers are ready / measured / failed, how the findings
 * came out, and per tier one headline figure (geometric mean of direction-adjusted ratios to native).
 */
import { STATUSES, type Status } from '../../src/core/finding.js'
import type { RunReport } from '../../src/core/report.js'
import { geomean } from '../../src/stats/descriptive.js'
import { goodness } from '../format/numbers.js'
import { buildMatrix } from './matrix.js'

export interface Headline {
  readonly tier: string
  /** Geometric mean of goodness (1 = native, 0.5 = half as good) over the tier's measured metrics. */
  readonly relative: number
  readonly metrics: number
  /** The metric hit hardest, e.g. `sys.syscall latency 0.29`. */
  readonly worst?: { readonly job: string; readonly metric: string; readonly relative: number }
}

export type VerdictLevel = 'ok' | 'warn' | 'fail'

export interface Verdict {
  readonly level: VerdictLevel
  readonly text: string
  readonly counts: Readonly<Record<Status, number>>
  readonly tiersReady: number
  readonly tiersTotal: number
  readonly tiersCompleted: number
  readonly tiersFailed: number
}

export const headlines = (report: RunReport): Headline[] => {
  const m = buildMatrix([report])
  return m.columns
    .map((col, ci) => {
      const rel: { job: string; metric: string; g: number }[] = []
      m.rows.forEach((row, ri) => {
        const cell = m.cells[ri]?.[ci]
        if (cell?.kind === 'ok' && cell.ratio !== undefined && cell.ratio > 0)
          rel.push({ job: row.job, metric: row.metric, g: goodness(cell.ratio, row.better) })
      })
      if (col.tier === 'native' || rel.length === 0) return undefined
      const relative = geomean(rel.map((x) => x.g))
      const worst = rel.reduce((a, b) => (b.g < a.g ? b : a))
      return { tier: col.tier, relative, metrics: rel.length, worst: { job: worst.job, metric: worst.metric, relative: worst.g } }
    })
    .filter((h): h is NonNullable<typeof h> => h !== undefined)
}

export const verdict = (report: RunReport): Verdict => {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, report.findings.filter((f) => f.status === s).length])) as Record<
    Status,
    number
  >
  const tiersReady = report.readiness.filter((r) => r.ready).length
  const tiersCompleted = report.tiers.filter((t) => t.state === 'completed').length
  const tiersFailed = report.tiers.filter((t) => t.state === 'failed').length
  const failedCells = report.results.filter((r) => r.state === 'failed').length
  const level: VerdictLevel =
    counts.fail > 0 || tiersFailed > 0 || failedCells > 0 ? 'fail' : counts.warn > 0 || report.partial ? 'warn' : 'ok'
  const parts = [
    `${tiersReady} of ${report.readiness.length} tiers ready`,
    `${tiersCompleted} measured`,
    ...(tiersFailed > 0 ? [`${tiersFailed} failed`] : []),
    ...(failedCells > 0 ? [`${failedCells} failed measurement${failedCells === 1 ? '' : 's'}`] : []),
  ]
  const findingText = (['fail', 'warn', 'unknown'] as const)
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ')
  const text = `${parts.join(', ')}; findings: ${findingText || 'all pass'}${report.partial ? ' (partial run)' : ''}`
  return { level, text, counts, tiersReady, tiersTotal: report.readiness.length, tiersCompleted, tiersFailed }
}
