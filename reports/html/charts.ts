/**
 * Inline SVG charts drawn on the server (they need no JavaScript): relative performance per job on a
 * log scale centred on native (bars grow left when worse, right when better, whiskers = 95% CI of the
 * ratio), and per-tier start time and memory overhead. Pure string building.
 */
import { formatBytes, formatMs, formatRatio, goodness } from '../format/numbers.js'
import type { Matrix, MatrixColumn } from '../model/matrix.js'
import { esc, html } from './escape.js'

const W = 430
const LABEL = 138
const VALUE = 58
const PLOT = W - LABEL - VALUE
const ROW = 17
const TOP = 18

const colLabel = (c: MatrixColumn, multi: boolean): string => (multi ? `${c.host} · ${c.tier}` : c.tier)
const clip = (s: string, n: number): string => (s.length > n ? s.slice(0, n - 1) + '…' : s)
const f1 = (n: number): string => n.toFixed(1)

interface Bar {
  readonly label: string
  readonly g?: number
  readonly lo?: number
  readonly hi?: number
  readonly cls: string
  readonly failed?: string
}

/** One small chart per (job, metric): direction-adjusted relative performance of each non-native tier. */
const relativeChart = (m: Matrix, ri: number): string | undefined => {
  const row = m.rows[ri]
  if (!row) return undefined
  const multi = m.hosts.length > 1
  const bars: Bar[] = []
  m.columns.forEach((c, ci) => {
    if (c.tier === 'native') return
    const cell = m.cells[ri]?.[ci]
    if (!cell) return
    if (cell.kind === 'failed') bars.push({ label: colLabel(c, multi), cls: 'failed', failed: cell.reason })
    if (cell.kind !== 'ok' || cell.ratio === undefined || cell.ratio <= 0) return
    const g = goodness(cell.ratio, row.better)
    const ci95 = cell.ratioCi?.map((x) => goodness(x, row.better)).filter((x) => Number.isFinite(x) && x > 0)
    const [lo, hi] = ci95 && ci95.length === 2 ? [Math.min(...ci95), Math.max(...ci95)] : [undefined, undefined]
    bars.push({
      label: colLabel(c, multi),
      g,
      cls: `c-${cell.closeness ?? 'same'}`,
      ...(lo !== undefined ? { lo } : {}),
      ...(hi !== undefined ? { hi } : {}),
    })
  })
  if (bars.length === 0) return undefined
  const values = bars.flatMap((b) => [b.g, b.lo, b.hi]).filter((x): x is number => x !== undefined)
  const minV = Math.max(1e-4, Math.min(1, ...values))
  const maxV = Math.max(1.25, ...values.map((v) => v * 1.1))
  const lo10 = Math.pow(10, Math.floor(Math.log10(minV * 0.95)))
  const domain = [Math.log10(lo10), Math.log10(maxV)] as const
  const x = (v: number): number => LABEL + ((Math.log10(Math.max(v, lo10)) - domain[0]) / (domain[1] - domain[0])) * PLOT
  const ticks: number[] = []
  for (let p = Math.log10(lo10); p <= domain[1] + 1e-9; p++) ticks.push(Math.pow(10, p))
  if (maxV > 2) ticks.push(2)
  const h = TOP + bars.length * ROW + 6
  const grid = ticks.map(
    (t) =>
      `<line class="grid" x1="${f1(x(t))}" y1="${TOP - 4}" x2="${f1(x(t))}" y2="${h - 4}"/><text x="${f1(x(t))}" y="${TOP - 7}" text-anchor="middle">${esc(formatRatio(t))}</text>`,
  )
  const body = bars.map((b, i) => {
    const y = TOP + i * ROW
    const label = `<text x="${LABEL - 6}" y="${y + 12}" text-anchor="end">${esc(clip(b.label, 22))}</text>`
    if (b.g === undefined)
      return `${label}<text x="${LABEL + 4}" y="${y + 12}" fill="#c53030">✗ failed: ${esc(clip(b.failed ?? '', 48))}</text>`
    const x0 = x(1)
    const x1 = x(b.g)
    const whisker =
      b.lo !== undefined && b.hi !== undefined
        ? `<line class="whisker" x1="${f1(x(b.lo))}" y1="${y + 8}" x2="${f1(x(b.hi))}" y2="${y + 8}"/><line class="whisker" x1="${f1(x(b.lo))}" y1="${y + 4}" x2="${f1(x(b.lo))}" y2="${y + 12}"/><line class="whisker" x1="${f1(x(b.hi))}" y1="${y + 4}" x2="${f1(x(b.hi))}" y2="${y + 12}"/>`
        : ''
    return `${label}<rect class="bar ${b.cls}" x="${f1(Math.min(x0, x1))}" y="${y + 3}" width="${f1(Math.max(1, Math.abs(x1 - x0)))}" height="${ROW - 6}"><title>${esc(`${b.label}: ${formatRatio(b.g)} of native`)}</title></rect>${whisker}<text x="${W - VALUE + 6}" y="${y + 12}">${esc(formatRatio(b.g))}</text>`
  })
  return html([
    `<figure class="chart relative" data-job="${esc(row.job)}" data-metric="${esc(row.metric)}">`,
    `<figcaption>${esc(row.job)} <span class="muted">${esc(row.metric)} (${row.better === 'higher' ? 'higher' : 'lower'} is better)</span></figcaption>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" role="img" aria-label="${esc(`relative performance of ${row.job} ${row.metric} per tier`)}">`,
    ...grid,
    `<line class="native" x1="${f1(x(1))}" y1="${TOP - 4}" x2="${f1(x(1))}" y2="${h - 4}"/>`,
    ...body,
    '</svg></figure>',
  ])
}

/** A plain linear bar chart of one number per tier (start time, memory overhead). */
const perTierChart = (
  title: string,
  kind: string,
  items: readonly { label: string; value: number }[],
  fmt: (v: number) => string,
): string => {
  if (items.length === 0) return ''
  const max = Math.max(...items.map((i) => i.value), 1e-9)
  const h = TOP + items.length * ROW + 6
  const body = items.map((it, i) => {
    const y = TOP + i * ROW
    const w = Math.max(1, (it.value / max) * PLOT)
    return `<text x="${LABEL - 6}" y="${y + 12}" text-anchor="end">${esc(clip(it.label, 22))}</text><rect class="bar plain" x="${LABEL}" y="${y + 3}" width="${f1(w)}" height="${ROW - 6}"><title>${esc(`${it.label}: ${fmt(it.value)}`)}</title></rect><text x="${f1(LABEL + w + 4)}" y="${y + 12}">${esc(fmt(it.value))}</text>`
  })
  return html([
    `<figure class="chart ${kind}"><figcaption>${esc(title)}</figcaption>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W + 40}" height="${h}" viewBox="0 0 ${W + 40} ${h}" role="img" aria-label="${esc(title)}">`,
    `<line class="axis" x1="${LABEL}" y1="${TOP - 4}" x2="${LABEL}" y2="${h - 4}"/>`,
    ...body,
    '</svg></figure>',
  ])
}

export const chartsSection = (m: Matrix): string => {
  const multi = m.hosts.length > 1
  const relative = m.rows.map((_, ri) => relativeChart(m, ri)).filter((s): s is string => s !== undefined)
  const boot = m.columns.flatMap((c) => (c.run?.bootMs !== undefined ? [{ label: colLabel(c, multi), value: c.run.bootMs }] : []))
  const rss = m.columns.flatMap((c) =>
    c.run?.overheadRssBytes !== undefined ? [{ label: colLabel(c, multi), value: c.run.overheadRssBytes }] : [],
  )
  return html([
    '<h3>Relative performance per job</h3>',
    '<p class="muted">Direction-adjusted ratio to native on a log scale: the dashed line is native (1.00×); bars to the left are slower, to the right faster; whiskers show the 95% confidence interval of the ratio.</p>',
    relative.length > 0 ? `<div class="charts">${relative.join('\n')}</div>` : '<p class="muted">No tier besides native has results.</p>',
    '<h3>Cost of each tier</h3>',
    `<div class="charts">${perTierChart('Start time (process start to agent ready)', 'boot', boot, formatMs)}${perTierChart('Memory overhead (RSS of the tier machinery)', 'memory', rss, formatBytes)}</div>`,
    boot.length + rss.length === 0 && '<p class="muted">No start times or memory overhead recorded.</p>',
  ])
}
