/** The terminal view of a comparison: one table sorted by magnitude, then what could not be compared. */
import Table from 'cli-table3'
import type { Style } from '../format/style.js'
import type { ComparedCell, CompareReport, Verdict } from '../../src/compare/types.js'
import { cellName, ciLabel, fmtCounts, fmtInterval, fmtP, fmtPct, headline, ruleText, verdictLabel } from './format.js'
import { sig3Compact } from '../format/numbers.js'
import { safeDeep, safeLine } from '../format/safe-text.js'
import { truncate } from '../format/numbers.js'

const paint = (style: Style, v: Verdict, text: string): string =>
  v === 'regressed'
    ? style.chalk.red.bold(text)
    : v === 'improved'
      ? style.chalk.green(text)
      : v === 'inconclusive' || v === 'drift'
        ? style.chalk.yellow(text)
        : style.chalk.dim(text)

// a table cell holds at most this much of a name: cli-table3's word wrap is quadratic in the cell length
const MAX_NAME = 60

const row = (c: ComparedCell, style: Style): string[] => [
  paint(style, c.verdict, verdictLabel(c.verdict) + (c.notComparable.length > 0 ? '*' : '')),
  truncate(safeLine(`${c.tier} ${c.job} ${c.metric}`), MAX_NAME, style.unicode),
  sig3Compact(c.numbers.medianBase),
  sig3Compact(c.numbers.medianHead),
  truncate(safeLine(c.unit), 16, style.unicode),
  paint(style, c.verdict, fmtPct(c.numbers.change)),
  fmtInterval(c),
  fmtP(c.numbers.pAdjusted),
  fmtCounts(c),
]

const name = (x: CompareReport['base']) => `${x.source}${x.label && x.label !== x.source ? ` (${x.label})` : ''}`

export const renderCompareTerminal = (input: CompareReport, style: Style, opts: { verbose?: boolean } = {}): string => {
  // one-line fields stay on one line: a newline in a job name cannot forge an "OK" line
  const r = safeDeep(input)
  const name1 = (x: CompareReport['base']) => safeLine(name(x))
  const out: string[] = []
  const s = r.settings
  out.push(style.chalk.bold(`virtcheck compare  ${name1(r.base)}  ->  ${name1(r.head)}`))
  out.push(style.chalk.dim(ruleText(r)))
  for (const n of r.notes) out.push(style.chalk.yellow(`note: ${safeLine(n)}`))
  if (!r.comparability.comparable) {
    out.push(style.chalk.yellow(`${s.forced ? 'NOT COMPARABLE (forced, verdicts marked *)' : 'NOT COMPARABLE'}:`))
    for (const p of r.comparability.problems.slice(0, 12)) out.push(`  - ${safeLine(p)}`)
    if (r.comparability.problems.length > 12) out.push(`  … ${r.comparability.problems.length - 12} more`)
  }
  if (r.cells.length > 0) {
    const table = new Table({
      head: ['verdict', 'tier / job metric', 'base', 'head', 'unit', 'change', ciLabel(s.alpha), 'p', 'n'],
      style: { head: [], border: [], compact: true },
      chars: style.unicode
        ? {}
        : {
            top: '-',
            'top-mid': '+',
            'top-left': '+',
            'top-right': '+',
            bottom: '-',
            'bottom-mid': '+',
            'bottom-left': '+',
            'bottom-right': '+',
            left: '|',
            'left-mid': '+',
            mid: '-',
            'mid-mid': '+',
            right: '|',
            'right-mid': '+',
            middle: '|',
          },
      wordWrap: true,
    })
    const shown = opts.verbose ? r.cells : r.cells.filter((c) => c.verdict !== 'unchanged')
    for (const c of shown) table.push(row(c, style))
    if (shown.length > 0) out.push(table.toString())
    const hidden = r.cells.length - shown.length
    if (hidden > 0) out.push(style.chalk.dim(`${hidden} unchanged cell(s) not shown (--verbose lists them)`))
    const explain = r.cells.filter((c) => c.verdict !== 'unchanged')
    if (explain.length > 0) {
      out.push('')
      for (const c of explain)
        out.push(`${paint(style, c.verdict, verdictLabel(c.verdict).padEnd(12))} ${safeLine(`${cellName(c)}: ${c.reason}`)}`)
    }
  }
  const notes = [
    ...r.tierChanges.filter((t) => t.change !== 'config-differs').map((t) => `tier ${t.change}: ${t.detail}`),
    ...r.unpaired.filter((u) => u.change !== 'refused').map((u) => `${u.change}: ${cellName(u)} — ${u.detail}`),
  ]
  if (notes.length > 0) {
    out.push('')
    for (const n of notes.map(safeLine)) out.push(/^(broken|tier broken)/.test(n) ? style.chalk.red(n) : n)
  }
  const refused = r.unpaired.filter((u) => u.change === 'refused').length
  if (refused > 0) out.push(style.chalk.yellow(`${refused} cell(s) not compared: not comparable (use --force or --ignore-config)`))
  const m = r.summary
  out.push('')
  out.push(
    `${style.chalk.red(`${m.regressed} regressed`)}, ${style.chalk.green(`${m.improved} improved`)}, ${m.unchanged} unchanged, ${style.chalk.yellow(`${m.inconclusive} inconclusive`)}${m.drift ? `, ${style.chalk.yellow(`${m.drift} drift?`)}` : ''}` +
      `, ${m.added} added, ${m.removed} removed, ${m.broken} broken, ${m.fixed} fixed`,
  )
  const h = headline(r)
  out.push(
    h.kind === 'ok'
      ? style.chalk.green(`OK (--fail-on ${s.failOn})`)
      : style.chalk.red.bold(
          h.kind === 'failed'
            ? `FAIL (--fail-on ${s.failOn}): ${safeLine(h.text)}`
            : safeLine(h.text).replace(/^./, (c) => c.toUpperCase()),
        ),
  )
  return out.join('\n') + '\n'
}
