/**
 * JUnit XML for CI systems: one suite for the probe findings, one suite per tier with a test case per
 * (job, metric). Mapping: fail → <failure>; warn → passed, with the warning in <system-out> and a
 * `status=warn` property (JUnit has no warning state, and a warning must not break a build by itself);
 * unknown and skip → <skipped> with the reason; a tier that failed to start → a failing `start` case;
 * a tier that was not ready or not selected → a skipped `start` case.
 */
import type { Finding } from '../src/core/finding.js'
import type { MetricResult, RunReport, TierRun } from '../src/core/report.js'
import { formatPercent, formatQuantity, formatRatio } from './format/numbers.js'
import { escapeXml } from './format/escape.js'
import { safeDeep } from './format/safe-text.js'

/** Escape for XML text and attributes (the one home: reports/format/escape.ts). */
export const xmlEscape = escapeXml

interface Case {
  readonly classname: string
  readonly name: string
  readonly timeS?: number
  readonly outcome: { readonly kind: 'pass' } | { readonly kind: 'failure' | 'skipped'; readonly message: string; readonly detail?: string }
  readonly out?: string
  readonly properties?: Readonly<Record<string, string>>
}

const findingCase = (f: Finding): Case => {
  const evidence = f.evidence.map((e) => `${e.source}: ${e.observed}`).join('\n')
  const fix = f.remediation
    ? `\nfix: ${f.remediation.summary}${f.remediation.commands?.length ? '\n  ' + f.remediation.commands.join('\n  ') : ''}`
    : ''
  const detail = `${f.summary}\n${evidence}${fix}`
  const base = { classname: `virtcheck.findings.${f.area}`, name: `${f.id}: ${f.title}`, properties: { status: f.status } }
  switch (f.status) {
    case 'pass':
      return { ...base, outcome: { kind: 'pass' }, out: detail }
    case 'warn':
      return { ...base, outcome: { kind: 'pass' }, out: `WARNING: ${detail}` }
    case 'fail':
      return { ...base, outcome: { kind: 'failure', message: f.summary, detail } }
    case 'unknown':
    case 'skip':
      return { ...base, outcome: { kind: 'skipped', message: `${f.status}: ${f.summary}` }, out: detail }
  }
}

const resultCase = (r: MetricResult): Case => {
  const base = { classname: `virtcheck.bench.${r.tier}`, name: `${r.job} ${r.metric}` }
  if (r.state === 'failed') return { ...base, outcome: { kind: 'failure', message: r.error, ...(r.logTail ? { detail: r.logTail } : {}) } }
  const ratio = r.ratioToNative ? ` (${formatRatio(r.ratioToNative.value)} native)` : ''
  const s = r.stats
  return {
    ...base,
    outcome: { kind: 'pass' },
    out: `median ${formatQuantity(s.median, r.unit)}${ratio}, n=${s.n}, cv ${formatPercent(s.cv)}, 95% CI ${formatQuantity(s.ci95[0], r.unit)} … ${formatQuantity(s.ci95[1], r.unit)}${r.flags.length ? `, flags: ${r.flags.join(', ')}` : ''}`,
    properties: {
      median: String(s.median),
      unit: r.unit,
      better: r.better,
      ...(r.ratioToNative ? { ratioToNative: String(r.ratioToNative.value) } : {}),
    },
  }
}

const tierStartCase = (t: TierRun): Case | undefined => {
  const base = { classname: `virtcheck.bench.${t.tier}`, name: 'start', timeS: (t.bootMs ?? 0) / 1000 }
  switch (t.state) {
    case 'completed':
      return t.bootMs === undefined ? undefined : { ...base, outcome: { kind: 'pass' }, out: `ready after ${t.bootMs} ms` }
    case 'failed':
    case 'interrupted':
      return {
        ...base,
        outcome: { kind: 'failure', message: `${t.state}: ${t.reason ?? ''}`.trim(), ...(t.logTail ? { detail: t.logTail } : {}) },
      }
    case 'not-ready':
    case 'skipped':
      return { ...base, outcome: { kind: 'skipped', message: `${t.state}: ${t.reason ?? ''}`.trim() } }
  }
}

const renderCase = (c: Case): string => {
  const time = c.timeS === undefined ? '' : ` time="${c.timeS.toFixed(3)}"`
  const inner: string[] = []
  if (c.properties)
    inner.push(
      `      <properties>${Object.entries(c.properties)
        .map(([k, v]) => `<property name="${xmlEscape(k)}" value="${xmlEscape(v)}"/>`)
        .join('')}</properties>`,
    )
  if (c.outcome.kind === 'failure')
    inner.push(
      `      <failure message="${xmlEscape(c.outcome.message)}" type="failure">${xmlEscape(c.outcome.detail ?? c.outcome.message)}</failure>`,
    )
  if (c.outcome.kind === 'skipped') inner.push(`      <skipped message="${xmlEscape(c.outcome.message)}"/>`)
  if (c.out) inner.push(`      <system-out>${xmlEscape(c.out)}</system-out>`)
  const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}"${time}`
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`
}

const renderSuite = (name: string, cases: readonly Case[], timestamp: string, hostname: string): string => {
  const failures = cases.filter((c) => c.outcome.kind === 'failure').length
  const skipped = cases.filter((c) => c.outcome.kind === 'skipped').length
  const time = cases.reduce((s, c) => s + (c.timeS ?? 0), 0)
  return [
    `  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}" timestamp="${xmlEscape(timestamp)}" hostname="${xmlEscape(hostname)}">`,
    ...cases.map(renderCase),
    '  </testsuite>',
  ].join('\n')
}

export const renderJunit = (input: RunReport): string => {
  const report = safeDeep(input)
  const ts = report.startedAt.replace(/Z$/, '')
  const host = report.host.hostname
  const suites: { name: string; cases: Case[] }[] = [{ name: 'virtcheck findings', cases: report.findings.map(findingCase) }]
  const tierIds = [...new Set([...report.tiers.map((t) => t.tier), ...report.results.map((r) => r.tier)])]
  for (const tier of tierIds) {
    const run = report.tiers.find((t) => t.tier === tier)
    const start = run ? tierStartCase(run) : undefined
    const cases = [...(start ? [start] : []), ...report.results.filter((r) => r.tier === tier).map(resultCase)]
    if (cases.length > 0) suites.push({ name: `virtcheck bench ${tier}`, cases })
  }
  const all = suites.flatMap((s) => s.cases)
  const failures = all.filter((c) => c.outcome.kind === 'failure').length
  const skipped = all.filter((c) => c.outcome.kind === 'skipped').length
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="virtcheck" tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
    ...suites.map((s) => renderSuite(s.name, s.cases, ts, host)),
    '</testsuites>',
    '',
  ].join('\n')
}
