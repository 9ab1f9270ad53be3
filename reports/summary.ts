/**
 * A few lines for the end of a run (the plain `virtcheck` job and `report` terminal output): the verdict
 * and one headline figure per measured tier. Pure; colour through the Style.
 */
import type { RunReport } from '../src/core/report.js'
import { formatRatio, truncate } from './format/numbers.js'
import type { Style } from './format/style.js'
import { safeDeep } from './format/safe-text.js'
import { headlines, verdict } from './model/summary.js'

export const renderSummaryLines = (input: RunReport, style: Style): string[] => {
  const report = safeDeep(input)
  const c = style.chalk
  const v = verdict(report)
  const mark =
    v.level === 'ok'
      ? c.green(style.unicode ? '✔' : 'ok')
      : v.level === 'warn'
        ? c.yellow(style.unicode ? '▲' : '!')
        : c.red(style.unicode ? '✗' : 'x')
  const h = report.host
  const lines = [
    `${c.bold('virtcheck')} ${truncate(`${h.hostname} · ${h.cpuModel} · ${h.cpuCores} cores · ${h.kernel} · ${h.virtRole}`, style.width - 10, style.unicode)}`,
    `${mark} ${v.text}`,
  ]
  const heads = headlines(report)
  if (heads.length > 0) {
    lines.push(c.dim('relative performance vs native (geometric mean over jobs, 1.00× = native, higher is better):'))
    const pad = Math.max(...heads.map((x) => x.tier.length))
    const ratioPad = Math.max(...heads.map((x) => formatRatio(x.relative).length))
    for (const x of heads) {
      const worst = x.worst ? c.dim(`  worst: ${x.worst.job} ${x.worst.metric} ${formatRatio(x.worst.relative)}`) : ''
      const ratio = formatRatio(x.relative)
      const painted = x.relative >= 0.95 ? c.green(ratio) : x.relative >= 0.75 ? c.yellow(ratio) : c.red(ratio)
      lines.push(`  ${x.tier.padEnd(pad)}  ${' '.repeat(ratioPad - ratio.length)}${painted} ${c.dim(`(${x.metrics} metrics)`)}${worst}`)
    }
  }
  return lines
}
