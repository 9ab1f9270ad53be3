/**
 * Terminal matrix: workloads as rows, tiers as columns, each cell the median with its unit and the ratio
 * to native (`0.97×`), coloured by how far from native in the metric's better-direction; noisy cells
 * marked `~`, other flags `!`, failed cells `✗ reason`. Wide matrices wrap into column groups that fit
 * the Style's width. Pure: returns a string; colour only through the Style's chalk.
 */
import type { RunReport } from '../src/core/report.js'
import { type Closeness, formatQuantity, formatRatio, truncate } from './format/numbers.js'
import { clipLine, type Line, lineWidth, packColumns, padLine, type Paint, paintLine, type Segment } from './format/segments.js'
import type { Style } from './format/style.js'
import { safeDeep } from './format/safe-text.js'
import { buildMatrix, type MatrixCell, type MatrixRow } from './model/matrix.js'
import { FLAG_TEXT, flagMarker } from './model/labels.js'
import { notRunLines } from './terminal-notes.js'

const GAP = 2
const MAX_CELL = 26
const MAX_LABEL = 30

const CLOSENESS_PAINT: Readonly<Record<Closeness, Paint>> = {
  better: 'cyan',
  same: 'green',
  near: 'yellow',
  far: 'red',
  'very-far': 'redBold',
}

const cellLine = (cell: MatrixCell, tier: string, unicode: boolean): Line => {
  switch (cell.kind) {
    case 'missing':
      return [{ text: unicode ? '–' : '-', paint: 'dim' }]
    case 'failed':
      return [{ text: `${unicode ? '✗' : 'x'} ${truncate(cell.reason, MAX_CELL - 2, unicode)}`, paint: 'red' }]
    case 'ok': {
      const r = cell.result
      const segs: Segment[] = [{ text: formatQuantity(r.stats.median, r.unit) }]
      if (cell.ratio !== undefined && tier !== 'native')
        segs.push({ text: ' ' + formatRatio(cell.ratio), ...(cell.closeness ? { paint: CLOSENESS_PAINT[cell.closeness] } : {}) })
      const markers = [...new Set(r.flags.map(flagMarker))].join('')
      if (markers) segs.push({ text: ' ' + markers, paint: 'yellow' })
      return segs
    }
  }
}

const rowLabel = (row: MatrixRow): Line => [{ text: row.job }, { text: ' ' + row.metric, paint: 'dim' }]

/** Render one report's matrix, or several reports merged with hosts as column groups. */
export const renderMatrix = (input: RunReport | readonly RunReport[], style: Style): string => {
  const reports: readonly RunReport[] = (Array.isArray(input) ? input : [input as RunReport]).map(safeDeep)
  const m = buildMatrix(reports)
  const u = style.unicode
  const out: string[] = []
  if (m.rows.length === 0 || m.columns.length === 0) {
    out.push('No benchmark results in this report.')
  } else {
    const multiHost = reports.length > 1
    const labels = m.rows.map((row) => clipLine(rowLabel(row), MAX_LABEL, u))
    const labelW = Math.max(8, ...labels.map(lineWidth))
    const cells = m.rows.map((_, ri) =>
      m.columns.map((col, ci) => clipLine(cellLine(m.cells[ri]?.[ci] ?? { kind: 'missing', reason: '' }, col.tier, u), MAX_CELL, u)),
    )
    const widths = m.columns.map((col, ci) =>
      Math.min(
        MAX_CELL,
        Math.max(col.tier.length, multiHost ? Math.min(col.host.length, 12) : 0, ...cells.map((row) => lineWidth(row[ci] ?? []))),
      ),
    )
    const groups = packColumns(labelW, widths, style.width, GAP)
    const sep = ' '.repeat(GAP)
    const rule = (u ? '─' : '-').repeat(Math.min(style.width, labelW + groups[0]!.reduce((s, i) => s + GAP + (widths[i] ?? 0), 0)))
    groups.forEach((group, gi) => {
      if (gi > 0) out.push('')
      if (multiHost) {
        // each host's name spans the columns of that host within this group
        const hostLine: Segment[] = [{ text: ' '.repeat(labelW) }]
        const spans: { host: string; width: number }[] = []
        for (const ci of group) {
          const col = m.columns[ci]!
          const last = spans[spans.length - 1]
          const w = widths[ci] ?? 0
          if (last && last.host === col.host) last.width += GAP + w
          else spans.push({ host: col.host, width: w })
        }
        for (const span of spans)
          hostLine.push({ text: sep }, ...padLine(clipLine([{ text: span.host, paint: 'bold' }], span.width, u), span.width))
        out.push(paintLine(style.chalk, hostLine).trimEnd())
      }
      const header: Segment[] = [...padLine([{ text: 'job metric', paint: 'dim' }], labelW)]
      for (const ci of group) header.push({ text: sep }, ...padLine([{ text: m.columns[ci]!.tier, paint: 'bold' }], widths[ci] ?? 0))
      out.push(paintLine(style.chalk, header).trimEnd())
      out.push(rule)
      m.rows.forEach((_, ri) => {
        const line: Segment[] = [...padLine(labels[ri] ?? [], labelW)]
        for (const ci of group) line.push({ text: sep }, ...padLine(cells[ri]?.[ci] ?? [], widths[ci] ?? 0))
        out.push(paintLine(style.chalk, line).trimEnd())
      })
    })
    out.push('')
    out.push(...legend(m.cells.flat(), style))
  }
  out.push(...notRunLines(reports, style))
  return out.join('\n') + '\n'
}

const legend = (cells: readonly MatrixCell[], style: Style): string[] => {
  const c = style.chalk
  const lines = [
    c.dim("cell: median, then ratio tier ÷ native in the metric's units"),
    c.dim(`colour: ${c.green('within 5%')}, ${c.yellow('within 25%')}, ${c.red('worse')}, ${c.cyan('better')} than native`),
  ]
  const flags = new Set(cells.flatMap((cell) => (cell.kind === 'ok' ? cell.result.flags : [])))
  const marks = [...flags].map((f) => `${flagMarker(f)} ${FLAG_TEXT[f] ?? f}`)
  if (marks.length > 0) lines.push(c.dim('flags: ' + [...new Set(marks)].join('; ')))
  return lines
}
