/** The matrix as a server-rendered table (readable without JavaScript); hosts as column groups. */
import { formatPercent, formatQuantity, formatRatio } from '../format/numbers.js'
import { FLAG_TEXT, flagMarker } from '../model/labels.js'
import type { Matrix, MatrixCell } from '../model/matrix.js'
import { esc, html } from './escape.js'

const cellHtml = (cell: MatrixCell | undefined, tier: string): string => {
  if (!cell || cell.kind === 'missing') return `<td class="cell missing" data-state="missing" title="${esc(cell?.reason ?? '')}">–</td>`
  if (cell.kind === 'failed')
    return `<td class="cell failed" data-state="failed"><strong>✗ failed</strong><br>${esc(cell.reason)}${cell.logTail ? `<details><summary>log</summary><pre>${esc(cell.logTail)}</pre></details>` : ''}</td>`
  const r = cell.result
  const s = r.stats
  const title = `median of ${s.n}; 95% CI ${formatQuantity(s.ci95[0], r.unit)} – ${formatQuantity(s.ci95[1], r.unit)}; cv ${formatPercent(s.cv)}${
    cell.ratioCi ? `; ratio CI ${formatRatio(cell.ratioCi[0])} – ${formatRatio(cell.ratioCi[1])}` : ''
  }${r.flags.length ? `; flags: ${r.flags.join(', ')}` : ''}`
  const flags = [...new Set(r.flags)]
    .map((f) => `<span class="flag" title="${esc(FLAG_TEXT[f] ?? f)}">${esc(flagMarker(f))}</span>`)
    .join('')
  const ratio = tier !== 'native' && cell.ratio !== undefined ? `<span class="ratio">${esc(formatRatio(cell.ratio))}</span>` : ''
  const cls = cell.closeness && tier !== 'native' ? ` c-${cell.closeness}` : ''
  return `<td class="cell ok${cls}" data-state="ok" title="${esc(title)}">${esc(formatQuantity(s.median, r.unit))}${flags}${ratio}</td>`
}

export const matrixTable = (m: Matrix): string => {
  if (m.rows.length === 0)
    return '<p class="muted">No benchmark results in this report (probe only, or every tier failed before its first job).</p>'
  const multi = m.hosts.length > 1
  const hostRow = multi
    ? (() => {
        const spans: { host: string; n: number }[] = []
        for (const c of m.columns) {
          const last = spans[spans.length - 1]
          if (last && last.host === c.host) last.n++
          else spans.push({ host: c.host, n: 1 })
        }
        return `<tr><th rowspan="2">job</th><th rowspan="2">metric</th>${spans.map((s) => `<th class="host" colspan="${s.n}">${esc(s.host)}</th>`).join('')}</tr>`
      })()
    : ''
  const tierRow = `<tr>${multi ? '' : '<th>job</th><th>metric</th>'}${m.columns.map((c) => `<th class="num" title="${esc(c.tierLabel)}">${esc(c.tier)}</th>`).join('')}</tr>`
  return html([
    '<table class="matrix"><thead>',
    hostRow,
    tierRow,
    '</thead><tbody>',
    ...m.rows.map(
      (row, ri) =>
        `<tr data-job="${esc(row.job)}" data-metric="${esc(row.metric)}"><td class="rowhead"><code>${esc(row.job)}</code></td><td class="rowhead">${esc(row.metric)} <span class="muted">${row.better === 'higher' ? '↑ higher is better' : '↓ lower is better'}</span></td>${m.columns
          .map((c, ci) => cellHtml(m.cells[ri]?.[ci], c.tier))
          .join('')}</tr>`,
    ),
    '</tbody></table>',
    '<p class="legend muted">Each cell: median value; below it the ratio tier ÷ native in the metric\'s own units (for a tier that took turns with native, the median of its per-repetition ratios, which can differ from the ratio of the two medians). Colour by distance from native in the better direction: <span class="c-same"><b class="ratio">within 5%</b></span>, <span class="c-near"><b class="ratio">within 25%</b></span>, <span class="c-far"><b class="ratio">worse</b></span>, <span class="c-better"><b class="ratio">better</b></span>. <span class="flag">~</span> noisy, <span class="flag">!</span> other flag (hover a cell for n, CI and cv).</p>',
  ])
}
