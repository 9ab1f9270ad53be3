/**
 * Markdown for a pull-request comment or a CI job summary: verdict, a compact matrix (ratios to native,
 * value on hover-free second line avoided to stay compact), tiers not measured, and the findings that
 * are not pass with their fix. Several reports merge with one column group per host.
 */
import type { Finding } from '../src/core/finding.js'
import type { RunReport } from '../src/core/report.js'
import { formatQuantity, formatRatio, truncate } from './format/numbers.js'
import { escapeMarkdown, markdownCode } from './format/escape.js'
import { safeDeep } from './format/safe-text.js'
import { buildMatrix, type MatrixCell } from './model/matrix.js'
import { flagMarker } from './model/labels.js'
import { headlines, verdict } from './model/summary.js'

/** Escape text for a Markdown table cell or line (the one home: reports/format/escape.ts). */
export const mdEscape = escapeMarkdown

const CLOSE_MARK: Readonly<Record<string, string>> = { better: '🔵', same: '🟢', near: '🟡', far: '🔴', 'very-far': '🔴' }

const cellText = (cell: MatrixCell | undefined, tier: string): string => {
  if (!cell || cell.kind === 'missing') return '–'
  if (cell.kind === 'failed') return `❌ ${mdEscape(truncate(cell.reason, 40))}`
  const value = formatQuantity(cell.result.stats.median, cell.result.unit)
  const flags = [...new Set(cell.result.flags.map(flagMarker))].join('')
  // markers are this program's own one-character set (`~`, `!`), not data: written as they are
  if (tier === 'native' || cell.ratio === undefined) return `${value}${flags ? ' ' + flags : ''}`
  return `${cell.closeness ? CLOSE_MARK[cell.closeness] + ' ' : ''}${formatRatio(cell.ratio)}${flags ? ' ' + flags : ''}`
}

const findingLine = (f: Finding): string => {
  const icon = f.status === 'fail' ? '❌' : f.status === 'warn' ? '⚠️' : '❔'
  const fix = f.remediation ? ` — fix: ${mdEscape(f.remediation.summary)}` : ''
  const cmds = f.remediation?.commands?.length ? ` (${f.remediation.commands.map(markdownCode).join(', ')})` : ''
  return `- ${icon} **${mdEscape(f.title)}** (${markdownCode(f.id)}): ${mdEscape(f.summary)}${fix}${cmds}`
}

export const renderMarkdown = (input: RunReport | readonly RunReport[]): string => {
  const reports: readonly RunReport[] = (Array.isArray(input) ? input : [input as RunReport]).map(safeDeep)
  const m = buildMatrix(reports)
  const out: string[] = ['## virtcheck', '']
  for (const r of reports) {
    const v = verdict(r)
    const icon = v.level === 'ok' ? '✅' : v.level === 'warn' ? '⚠️' : '❌'
    out.push(
      `**${mdEscape(r.host.hostname)}** — ${mdEscape(r.host.cpuModel)}, ${r.host.cpuCores} cores, ${mdEscape(r.host.kernel)}, ${mdEscape(r.host.virtRole)}${r.label ? ` · _${mdEscape(r.label)}_` : ''}  `,
    )
    const heads = headlines(r)
      .map((h) => `${h.tier} ${formatRatio(h.relative)}`)
      .join(' · ')
    out.push(`${icon} ${mdEscape(v.text)}${heads ? `  \nrelative to native (geomean, higher is better): ${heads}` : ''}`, '')
  }
  if (m.rows.length > 0) {
    const multi = reports.length > 1
    const head = m.columns.map((c) => (multi ? `${mdEscape(c.host)}<br>${c.tier}` : c.tier))
    out.push(`| job | metric | ${head.join(' | ')} |`, `|---|---|${m.columns.map(() => '--:').join('|')}|`)
    m.rows.forEach((row, ri) => {
      const cells = m.columns.map((c, ci) => cellText(m.cells[ri]?.[ci], c.tier))
      out.push(`| ${mdEscape(row.job)} | ${mdEscape(row.metric)} (${row.better === 'higher' ? '↑' : '↓'}) | ${cells.join(' | ')} |`)
    })
    out.push(
      '',
      "_native: median; other tiers: median ÷ native in the metric's units (↑ higher is better, ↓ lower is better); 🟢 within 5%, 🟡 within 25%, 🔴 worse, 🔵 better; ~ noisy._",
      '',
    )
  }
  for (const [hi, r] of reports.entries()) {
    const prefix = reports.length > 1 ? `${mdEscape(m.hosts[hi] ?? '')}: ` : ''
    const notRun = r.tiers.filter((t) => t.state !== 'completed')
    const unlisted = r.readiness.filter((x) => !x.ready && !r.tiers.some((t) => t.tier === x.tier))
    if (notRun.length + unlisted.length > 0) {
      out.push(`<details><summary>${prefix}${notRun.length + unlisted.length} tiers not measured</summary>`, '')
      for (const t of notRun) out.push(`- ${markdownCode(t.tier)} ${t.state}: ${mdEscape(t.reason ?? '')}`)
      for (const x of unlisted) out.push(`- ${markdownCode(x.tier)} not ready: ${mdEscape(x.summary)}`)
      out.push('', '</details>', '')
    }
    const issues = r.findings.filter((f) => f.status === 'fail' || f.status === 'warn' || f.status === 'unknown')
    if (issues.length > 0) {
      out.push(`### ${prefix}Findings that are not pass`, '', ...issues.map(findingLine), '')
    }
  }
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  )
}
