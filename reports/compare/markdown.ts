/** Markdown for pull-request comments and CI job summaries ($GITHUB_STEP_SUMMARY, GitLab MR notes). */
import type { CompareReport, ComparedCell } from '../../src/compare/types.js'
import { escapeMarkdown, markdownCode } from '../format/escape.js'
import { safeDeep } from '../format/safe-text.js'
import { cellName, fmtCounts, fmtInterval, fmtP, fmtPct, ciLabel, headline, ruleText } from './format.js'
import { sig3Compact } from '../format/numbers.js'

const esc = escapeMarkdown
const ICON = {
  regressed: '🔴 regressed',
  improved: '🟢 improved',
  inconclusive: '🟡 inconclusive',
  unchanged: '⚪ unchanged',
  drift: '🟠 drift?',
} as const

const row = (c: ComparedCell): string =>
  `| ${ICON[c.verdict]}${c.notComparable.length > 0 ? ' (forced)' : ''} | ${esc(c.tier)} | ${esc(c.job)} | ${esc(c.metric)} | ${sig3Compact(c.numbers.medianBase)} | ${sig3Compact(c.numbers.medianHead)} | ${esc(c.unit)} | **${fmtPct(c.numbers.change)}** | ${fmtInterval(c)} | ${fmtP(c.numbers.pAdjusted)} | ${fmtCounts(c)} |`

export const renderCompareMarkdown = (input: CompareReport): string => {
  const r = safeDeep(input)
  const s = r.settings
  const m = r.summary
  const out: string[] = []
  const h = headline(r)
  out.push(`## virtcheck compare: ${h.kind === 'ok' ? '✅' : '❌'} ${esc(h.text)}`)
  out.push('')
  out.push(
    `**Base** ${markdownCode(r.base.source)}${r.base.label && r.base.label !== r.base.source ? ` (${esc(r.base.label)})` : ''} · ${esc(r.base.startedAt)} · ${esc(r.base.hostname)}  `,
  )
  out.push(
    `**Head** ${markdownCode(r.head.source)}${r.head.label && r.head.label !== r.head.source ? ` (${esc(r.head.label)})` : ''} · ${esc(r.head.startedAt)} · ${esc(r.head.hostname)}`,
  )
  out.push('')
  out.push(
    `${m.regressed} regressed · ${m.improved} improved · ${m.unchanged} unchanged · ${m.inconclusive} inconclusive${m.drift ? ` · ${m.drift} drift?` : ''} · ${m.added} added · ${m.removed} removed · ${m.broken} broken · ${m.fixed} fixed`,
  )
  out.push('')
  out.push(`Rule: ${esc(ruleText(r))}. Policy: ${markdownCode(`--fail-on ${s.failOn}`)}.`)
  for (const n of r.notes) out.push('', `> ⚠️ ${esc(n)}`)
  if (!r.comparability.comparable) {
    out.push('')
    out.push(`> ⚠️ **Not comparable**${s.forced ? ' (forced: verdicts computed anyway)' : ''}:`)
    for (const p of r.comparability.problems.slice(0, 20)) out.push(`> - ${esc(p)}`)
  }
  const notable = r.cells.filter((c) => c.verdict !== 'unchanged')
  const head = `| verdict | tier | job | metric | base median | head median | unit | change | ${ciLabel(r.settings.alpha)} | p | n |\n|---|---|---|---|---:|---:|---|---:|---|---:|---:|`
  if (notable.length > 0) {
    out.push('')
    out.push(head)
    for (const c of notable) out.push(row(c))
    out.push('')
    for (const c of notable) out.push(`- **${esc(cellName(c))}** (${c.verdict}): ${esc(c.reason)}`)
  }
  const unchanged = r.cells.filter((c) => c.verdict === 'unchanged')
  if (unchanged.length > 0) {
    out.push('')
    out.push(`<details><summary>${unchanged.length} unchanged</summary>`)
    out.push('')
    out.push(head)
    for (const c of unchanged) out.push(row(c))
    out.push('')
    out.push('</details>')
  }
  const other = [
    ...r.tierChanges.filter((t) => t.change !== 'config-differs').map((t) => `tier **${t.change}**: ${esc(t.detail)}`),
    ...r.unpaired.map((u) => `**${u.change}**: ${esc(cellName(u))} — ${esc(u.detail)}`),
  ]
  if (other.length > 0) {
    out.push('')
    out.push('### Not compared')
    for (const o of other) out.push(`- ${o}`)
  }
  return out.join('\n') + '\n'
}
