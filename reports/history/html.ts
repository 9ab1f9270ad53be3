/**
 * The history report as one self-contained HTML file: inline CSS and SVG, no script, a CSP that
 * forbids everything else, so it can be archived as a CI artifact and opened offline.
 */
import { renderChart } from './svg-chart.js'
import type { HistoryRun, TrendSeries, TrendSettings } from '../../src/history/trend.js'
import { escapeXml as esc } from '../format/escape.js'
import { safeDeep } from '../format/safe-text.js'

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1a1a1a;max-width:1100px}
h1{font-size:20px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}h3{font-size:14px;margin:14px 0 4px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
.regressed{color:#c62828;font-weight:600}.improved{color:#2e7d32}.muted{color:#666}
svg text{font-size:11px;fill:#444}svg .band{fill:#1565c0;fill-opacity:.12}svg .line{fill:none;stroke:#90a4ae;stroke-width:1.5}
svg .ci{stroke:#607d8b;stroke-width:1.5}svg .axis{stroke:#999}svg .fail{fill:#000;font-size:14px}`

const stateCell = (s: TrendSeries): string => {
  const p = s.points.at(-1)
  if (!p) return '<td></td>'
  const txt = p.state === 'regressed' || p.state === 'improved' ? `${p.state} ${((p.change ?? 0) * 100).toFixed(1)}%` : p.state
  return `<td class="${p.state}">${esc(txt)}</td>`
}

/** Every earlier point outside its band, so a regression that was later fixed still shows up in the record. */
const earlierFlags = (trends: readonly TrendSeries[]): string => {
  const items = trends.flatMap((t) =>
    t.points
      .slice(0, -1)
      .flatMap((p) =>
        p.state === 'regressed' || p.state === 'improved'
          ? [
              `<li class="${p.state}">${esc(`${t.tier} ${t.job} ${t.metric}: ${p.state} ${((p.change ?? 0) * 100).toFixed(1)}% in ${p.label ?? p.entryId}${p.commit ? ` (${p.commit.slice(0, 12)})` : ''}, ${p.startedAt}`)}</li>`,
            ]
          : [],
      ),
  )
  return items.length === 0 ? '' : `<h2>Earlier runs outside their band</h2>\n<ul>${items.join('\n')}</ul>`
}

export const renderHistoryHtml = (
  rawRuns: readonly HistoryRun[],
  rawTrends: readonly TrendSeries[],
  s: TrendSettings,
  title = 'virtcheck history',
): string => {
  const [runs, trends] = safeDeep([rawRuns, rawTrends] as const)
  const byTier = new Map<string, TrendSeries[]>()
  for (const t of trends) byTier.set(t.tier, [...(byTier.get(t.tier) ?? []), t])
  const regressions = trends.filter((t) => t.points.at(-1)?.state === 'regressed')
  const runRows = runs
    .map(
      ({ entry }, i) =>
        `<tr><td>${i + 1}</td><td>${esc(entry.startedAt)}</td><td>${esc(entry.label ?? '')}</td><td><code>${esc(entry.commit ?? '')}</code></td><td>${esc(entry.hostname)}</td><td>${esc(entry.kernel)}</td><td>${esc(entry.mode)}</td></tr>`,
    )
    .join('\n')
  const sections = [...byTier.entries()].map(([tier, list]) => {
    const charts = list
      .map(
        (t) =>
          `<h3>${esc(`${t.job} ${t.metric}`)} <span class="muted">(${esc(t.unit)}, ${t.better} is better)</span></h3>\n${renderChart(t)}`,
      )
      .join('\n')
    return `<h2>${esc(tier)}</h2>\n${charts}`
  })
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head><body>
<h1>${esc(title)}</h1>
<p>${runs.length} runs, ${trends.length} series${s.relativeTo === 'native' ? ', each the ratio of a tier to native measured in the same run' : ''}. Baseline: median of the last ${s.window} comparable runs (same host, tier config and job parameters; at least ${s.minHistory}); band: ± ${s.k} × 1.4826 × MAD of those medians; a point is a regression outside the band in the worse direction and at least ${s.thresholdPct}% from the baseline. Hover a point for its numbers.</p>
<h2>Latest run</h2>
${regressions.length === 0 ? '<p>No regression against the rolling baseline.</p>' : `<p class="regressed">${regressions.length} regression(s) in the latest run:</p>`}
<table><tr><th>tier</th><th>job</th><th>metric</th><th>latest median</th><th>baseline</th><th>band</th><th>state</th></tr>
${trends
  .map((t) => {
    const p = t.points.at(-1)
    const b = p?.baseline
    const n = (x: number | undefined) => (x === undefined ? '' : Number(x.toPrecision(4)).toString())
    return `<tr><td>${esc(t.tier)}</td><td>${esc(t.job)}</td><td>${esc(t.metric)}</td><td>${esc(n(p?.median))} ${esc(t.unit)}</td><td>${esc(n(b?.median))}</td><td>${b ? esc(`${n(b.low)} – ${n(b.high)} (${b.runs} runs)`) : ''}</td>${stateCell(t)}</tr>`
  })
  .join('\n')}
</table>
${earlierFlags(trends)}
<h2>Runs</h2>
<table><tr><th>#</th><th>started</th><th>label</th><th>commit</th><th>host</th><th>kernel</th><th>mode</th></tr>
${runRows}
</table>
${sections.join('\n')}
</body></html>
`
}
