/** JUnit XML: one testsuite per tier, one testcase per cell; regressions and broken cells are failures. */
import type { CompareReport } from '../../src/compare/types.js'
import { isRefused, isWorse } from '../../src/compare/compare-runs.js'
import { numbersLine } from './format.js'
import { escapeXml } from '../format/escape.js'
import { safeDeep } from '../format/safe-text.js'

const xml = escapeXml

interface Case {
  readonly name: string
  readonly failure?: string
  readonly skipped?: string
  readonly out: string
}

export const renderCompareJunit = (input: CompareReport): string => {
  const r = safeDeep(input)
  const byTier = new Map<string, Case[]>()
  const add = (tier: string, c: Case) => byTier.set(tier, [...(byTier.get(tier) ?? []), c])
  for (const c of r.cells) {
    const text = `${c.verdict}: ${numbersLine(c)}. ${c.reason}`
    // A drift verdict fails only where the policy counts it (--fail-on drift: worse ones; any: all).
    const driftFails = c.verdict === 'drift' && (r.settings.failOn === 'any' || (r.settings.failOn === 'drift' && isWorse(c)))
    add(c.tier, {
      name: `${c.job} ${c.metric}`,
      out: text,
      ...(c.verdict === 'regressed' || driftFails ? { failure: text } : {}),
      ...(c.verdict === 'inconclusive' || (c.verdict === 'drift' && !driftFails) ? { skipped: text } : {}),
    })
  }
  if (isRefused(r)) {
    const text = `not comparable: ${r.comparability.problems.join('; ')}`
    add('comparability', { name: 'baseline and head are comparable', out: text, failure: text })
  }
  for (const u of r.unpaired) {
    const text = `${u.change}: ${u.detail}`
    add(u.tier, { name: `${u.job} ${u.metric}`, out: text, ...(u.change === 'broken' ? { failure: text } : { skipped: text }) })
  }
  const suites = [...byTier.entries()].map(([tier, cases]) => {
    const failures = cases.filter((c) => c.failure).length
    const skipped = cases.filter((c) => !c.failure && c.skipped).length
    const body = cases
      .map((c) => {
        const inner = c.failure
          ? `<failure message="${xml(c.failure.slice(0, 300))}" type="regression">${xml(c.failure)}</failure>`
          : c.skipped
            ? `<skipped message="${xml(c.skipped.slice(0, 300))}"/>`
            : ''
        return `    <testcase classname="virtcheck.compare.${xml(tier)}" name="${xml(c.name)}" time="0">${inner}<system-out>${xml(c.out)}</system-out></testcase>`
      })
      .join('\n')
    return `  <testsuite name="compare ${xml(tier)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">\n${body}\n  </testsuite>`
  })
  const total = suites.length === 0 ? 0 : [...byTier.values()].reduce((a, c) => a + c.length, 0)
  const failures = [...byTier.values()].flat().filter((c) => c.failure).length
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="virtcheck compare" tests="${total}" failures="${failures}" errors="0">\n${suites.join('\n')}\n</testsuites>\n`
}
