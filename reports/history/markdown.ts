/** The history report as Markdown: latest run against its rolling baseline, then the runs list. */
import type { HistoryRun, TrendSeries, TrendSettings } from '../../src/history/trend.js'
import { escapeMarkdown } from '../format/escape.js'
import { safeDeep } from '../format/safe-text.js'

const esc = escapeMarkdown
const n = (x: number | undefined): string => (x === undefined ? '' : Number(x.toPrecision(4)).toString())

export const renderHistoryMarkdown = (rawRuns: readonly HistoryRun[], rawTrends: readonly TrendSeries[], s: TrendSettings): string => {
  const [runs, trends] = safeDeep([rawRuns, rawTrends] as const)
  const out: string[] = []
  const reg = trends.filter((t) => t.points.at(-1)?.state === 'regressed')
  out.push(
    `## virtcheck history: ${reg.length === 0 ? '✅ no regression in the latest run' : `❌ ${reg.length} regression(s) in the latest run`}`,
  )
  out.push('')
  out.push(
    `${runs.length} runs${s.relativeTo === 'native' ? ' (series: ratio of each tier to native in the same run)' : ''}. Baseline = median of the last ${s.window} comparable runs (≥ ${s.minHistory}); band = ± ${s.k}·MAD; regression = outside the band, worse, and ≥ ${s.thresholdPct}% from the baseline.`,
  )
  out.push('')
  out.push('| tier | job | metric | latest | baseline | band | change | state |')
  out.push('|---|---|---|---:|---:|---|---:|---|')
  for (const t of trends) {
    const p = t.points.at(-1)
    const b = p?.baseline
    out.push(
      `| ${esc(t.tier)} | ${esc(t.job)} | ${esc(t.metric)} | ${n(p?.median)} ${esc(t.unit)} | ${n(b?.median)} | ${b ? `${n(b.low)} – ${n(b.high)} (${b.runs})` : ''} | ${p?.change === undefined ? '' : `${(p.change * 100).toFixed(1)}%`} | ${p?.state ?? ''} |`,
    )
  }
  out.push('')
  out.push('| # | started | label | commit | host | kernel |')
  out.push('|---|---|---|---|---|---|')
  runs.forEach(({ entry }, i) =>
    out.push(
      `| ${i + 1} | ${esc(entry.startedAt)} | ${esc(entry.label ?? '')} | ${esc(entry.commit ?? '')} | ${esc(entry.hostname)} | ${esc(entry.kernel)} |`,
    ),
  )
  return out.join('\n') + '\n'
}
