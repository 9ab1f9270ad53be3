/** One trend chart as inline SVG (pure string building, no script): points, CI whiskers, baseline band. */
import type { TrendPoint, TrendSeries } from '../../src/history/trend.js'
import { escapeXml } from '../format/escape.js'
import { sig3Plain } from '../format/numbers.js'

export { escapeXml }

const W = 640
const H = 180
const PAD = { l: 64, r: 12, t: 12, b: 28 }

const COLOR: Record<TrendPoint['state'], string> = {
  regressed: '#c62828',
  improved: '#2e7d32',
  within: '#1565c0',
  'no-baseline': '#78909c',
  failed: '#000000',
}

export const renderChart = (s: TrendSeries): string => {
  const pts = s.points
  const values = pts
    .flatMap((p) => [p.median, p.ci95?.[0], p.ci95?.[1], p.baseline?.low, p.baseline?.high])
    .filter((v): v is number => v !== undefined && Number.isFinite(v))
  if (values.length === 0) return `<p class="empty">no successful measurement of ${escapeXml(s.metric)} yet</p>`
  let lo = Math.min(...values)
  let hi = Math.max(...values)
  if (hi === lo) {
    hi += Math.abs(hi) * 0.05 || 1
    lo -= Math.abs(lo) * 0.05 || 1
  }
  const x = (i: number) => PAD.l + (pts.length === 1 ? (W - PAD.l - PAD.r) / 2 : (i * (W - PAD.l - PAD.r)) / (pts.length - 1))
  const y = (v: number) => PAD.t + ((hi - v) * (H - PAD.t - PAD.b)) / (hi - lo)
  const parts: string[] = []
  // baseline band: one trapezoid strip per consecutive pair of judged points
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]?.baseline
    const b = pts[i]?.baseline
    if (a && b)
      parts.push(
        `<polygon class="band" points="${x(i - 1)},${y(a.high)} ${x(i)},${y(b.high)} ${x(i)},${y(b.low)} ${x(i - 1)},${y(a.low)}"/>`,
      )
  }
  const line = pts
    .map((p, i) => (p.median === undefined ? undefined : `${x(i).toFixed(1)},${y(p.median).toFixed(1)}`))
    .filter((v): v is string => v !== undefined)
  if (line.length > 1) parts.push(`<polyline class="line" points="${line.join(' ')}"/>`)
  pts.forEach((p, i) => {
    const who = [p.label, p.commit?.slice(0, 12), p.startedAt].filter(Boolean).join(' · ')
    if (p.median === undefined) {
      parts.push(
        `<text x="${x(i)}" y="${H - PAD.b - 4}" class="fail" text-anchor="middle">✕<title>${escapeXml(`${who}: failed: ${p.error ?? ''}`)}</title></text>`,
      )
      return
    }
    if (p.ci95) parts.push(`<line class="ci" x1="${x(i)}" x2="${x(i)}" y1="${y(p.ci95[0])}" y2="${y(p.ci95[1])}"/>`)
    const base = p.baseline
      ? `; baseline ${sig3Plain(p.baseline.median)} (band ${sig3Plain(p.baseline.low)}–${sig3Plain(p.baseline.high)}, ${p.baseline.runs} runs), change ${((p.change ?? 0) * 100).toFixed(1)}%`
      : ''
    parts.push(
      `<circle cx="${x(i)}" cy="${y(p.median)}" r="${p.state === 'regressed' ? 5 : 3.5}" fill="${COLOR[p.state]}"><title>${escapeXml(`${who}: median ${sig3Plain(p.median)} ${s.unit} (n=${p.n})${base} — ${p.state}`)}</title></circle>`,
    )
  })
  const axis = [
    `<line class="axis" x1="${PAD.l}" x2="${PAD.l}" y1="${PAD.t}" y2="${H - PAD.b}"/>`,
    `<text x="${PAD.l - 6}" y="${y(hi) + 4}" text-anchor="end">${escapeXml(sig3Plain(hi))}</text>`,
    `<text x="${PAD.l - 6}" y="${y(lo) + 4}" text-anchor="end">${escapeXml(sig3Plain(lo))}</text>`,
    `<text x="${PAD.l}" y="${H - 8}">run 1</text>`,
    `<text x="${W - PAD.r}" y="${H - 8}" text-anchor="end">run ${pts.length}</text>`,
  ]
  const title = `${s.tier} ${s.job} ${s.metric} (${s.unit}, ${s.better} is better)`
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(title)}">${axis.join('')}${parts.join('')}</svg>`
}
