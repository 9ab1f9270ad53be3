/**
 * The lines under the terminal matrix: tiers that did not run (not ready, skipped, failed) with the
 * reason and the fix, so a missing column is never unexplained.
 */
import type { RunReport } from '../src/core/report.js'
import { truncate } from './format/numbers.js'
import type { Style } from './format/style.js'
import { hostNames } from './model/matrix.js'

export const notRunLines = (reports: readonly RunReport[], style: Style): string[] => {
  const c = style.chalk
  const hosts = hostNames(reports)
  const out: string[] = []
  const room = style.width - 4
  reports.forEach((report, hi) => {
    const prefix = reports.length > 1 ? `${hosts[hi]}: ` : ''
    for (const run of report.tiers) {
      if (run.state === 'completed') continue
      const readiness = report.readiness.find((r) => r.tier === run.tier)
      const why = run.reason ?? readiness?.summary ?? run.state
      const mark = run.state === 'failed' ? c.red(style.unicode ? '✗' : 'x') : c.dim(style.unicode ? '·' : '-')
      out.push(`${mark} ${truncate(`${prefix}${run.tier} ${run.state}: ${why}`, room, style.unicode)}`)
      const tail = run.logTail?.trim().split('\n').filter(Boolean).slice(-2) ?? []
      for (const l of tail) out.push(c.dim(`    ${truncate(l, room - 2, style.unicode)}`))
      if (run.state === 'not-ready' && readiness && !readiness.ready)
        out.push(c.dim(`    fix: ${truncate(readiness.remediation.summary, room - 7, style.unicode)}`))
    }
    // Not-ready tiers the runner did not list as TierRuns still deserve a line.
    for (const r of report.readiness)
      if (!r.ready && !report.tiers.some((t) => t.tier === r.tier)) {
        out.push(`${c.dim(style.unicode ? '·' : '-')} ${truncate(`${prefix}${r.tier} not ready: ${r.summary}`, room, style.unicode)}`)
        out.push(c.dim(`    fix: ${truncate(r.remediation.summary, room - 7, style.unicode)}`))
      }
  })
  return out.length > 0 ? ['', c.bold('Tiers not measured'), ...out] : []
}
