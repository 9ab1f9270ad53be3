/** Summary, capability findings and tier readiness sections, one block per host. Pure HTML strings. */
import { AREAS, severity, type Finding } from '../../src/core/finding.js'
import type { RunReport } from '../../src/core/report.js'
import { tierInfo, isTierId, type TierReadiness } from '../../src/core/tier.js'
import { formatBytes, formatMs, formatRatio } from '../format/numbers.js'
import { tierLabel } from '../model/labels.js'
import { headlines, verdict } from '../model/summary.js'
import { esc, html, safeLink } from './escape.js'

const badge = (status: string): string => `<span class="badge s-${esc(status)}">${esc(status)}</span>`

const durationMs = (r: RunReport): number | undefined => {
  const d = Date.parse(r.finishedAt) - Date.parse(r.startedAt)
  return Number.isFinite(d) && d >= 0 ? d : undefined
}

export const summarySection = (r: RunReport, hostName: string): string => {
  const v = verdict(r)
  const h = r.host
  const heads = headlines(r)
  const dur = durationMs(r)
  const rows: [string, string][] = [
    ['Host', h.hostname],
    ['CPU', `${h.cpuModel} (${h.cpuCores} cores)`],
    ['Memory', formatBytes(h.memoryBytes)],
    ['Kernel', `${h.kernel} (${h.arch})`],
    ['Distribution', h.distro],
    ['Virtualization role', h.virtRole],
    ...(h.clocksource ? ([['Clock source', h.clocksource]] as [string, string][]) : []),
    [
      'Run',
      `${r.startedAt} → ${r.finishedAt}${dur !== undefined ? ` (${formatMs(dur)})` : ''}, mode ${r.reproduce.mode}${r.partial ? ', PARTIAL' : ''}`,
    ],
    ...(r.label ? ([['Label', r.label]] as [string, string][]) : []),
  ]
  return html([
    `<div class="host-summary" data-host="${esc(hostName)}">`,
    `<h3>${esc(hostName)}</h3>`,
    `<dl class="hostgrid">${rows.map(([k, val]) => `<dt>${esc(k)}</dt><dd>${esc(val)}</dd>`).join('')}</dl>`,
    `<div class="verdict v-${v.level}"><strong>Verdict:</strong> ${esc(v.text)}</div>`,
    heads.length > 0 &&
      html([
        '<table class="headlines"><thead><tr><th>tier</th><th class="num">relative to native</th><th class="num">metrics</th><th>hit hardest</th></tr></thead><tbody>',
        ...heads.map(
          (x) =>
            `<tr><td>${esc(tierLabel(x.tier))} <code>${esc(x.tier)}</code></td><td class="num"><strong>${esc(formatRatio(x.relative))}</strong></td><td class="num">${x.metrics}</td><td>${x.worst ? `${esc(x.worst.job)} ${esc(x.worst.metric)} ${esc(formatRatio(x.worst.relative))}` : ''}</td></tr>`,
        ),
        '</tbody></table>',
        '<p class="muted">Relative to native: geometric mean over the tier\'s jobs of the direction-adjusted ratio (1.00× = native speed, 0.50× = half the throughput or twice the latency).</p>',
      ]),
    '</div>',
  ])
}

const remediationHtml = (f: Finding): string => {
  const rem = f.remediation
  if (!rem) return ''
  return html([
    `<div><strong>Fix:</strong> ${esc(rem.summary)}</div>`,
    rem.commands && rem.commands.length > 0 && `<pre>${rem.commands.map(esc).join('\n')}</pre>`,
    rem.docs && `<div>Docs: ${safeLink(rem.docs)}</div>`,
  ])
}

export const findingsSection = (r: RunReport, hostName: string): string => {
  const order = (f: Finding): number => -severity(f.status) * 100 + Math.max(0, (AREAS as readonly string[]).indexOf(f.area))
  const sorted = [...r.findings].sort((a, b) => order(a) - order(b))
  if (sorted.length === 0) return `<p class="muted">${esc(hostName)}: no findings (probe not run).</p>`
  return html([
    `<table class="findings" data-host="${esc(hostName)}"><thead><tr><th>status</th><th>area</th><th>check</th><th>what was found</th><th>evidence</th><th>what to do</th></tr></thead><tbody>`,
    ...sorted.map((f) =>
      html([
        `<tr class="finding" data-status="${esc(f.status)}" id="${esc(`finding-${hostName}-${f.id}`)}">`,
        `<td>${badge(f.status)}</td><td>${esc(f.area)}</td><td><strong>${esc(f.title)}</strong><br><code class="muted">${esc(f.id)}</code></td>`,
        `<td>${esc(f.summary)}${f.bug ? `<br><em>probe crashed (virtcheck bug): ${esc(f.bug.message)}</em>` : ''}</td>`,
        `<td>${f.evidence.length ? `<ul>${f.evidence.map((e) => `<li><code>${esc(e.source)}</code>: ${esc(e.observed)}</li>`).join('')}</ul>` : ''}</td>`,
        `<td>${remediationHtml(f)}</td></tr>`,
      ]),
    ),
    '</tbody></table>',
  ])
}

const readinessRow = (x: TierReadiness, r: RunReport): string => {
  const cls = isTierId(x.tier) ? tierInfo(x.tier).cls : ''
  const run = r.tiers.find((t) => t.tier === x.tier)
  const state = run ? run.state : x.ready ? 'ready (not run)' : 'not ready'
  const timing = run?.bootMs !== undefined ? `start ${formatMs(run.bootMs)}` : ''
  const detail = x.ready
    ? html([esc(x.summary), x.provedBy && `<br><span class="muted">proved by ${esc(x.provedBy)}</span>`])
    : html([
        esc(x.summary),
        x.blockedBy.length > 0 &&
          `<br><span class="muted">blocked by ${x.blockedBy.map((b) => `<code>${esc(b)}</code>`).join(', ')}</span>`,
        `<br><strong>Fix:</strong> ${esc(x.remediation.summary)}`,
        x.remediation.commands && x.remediation.commands.length > 0 && `<pre>${x.remediation.commands.map(esc).join('\n')}</pre>`,
      ])
  const tail = run?.logTail ?? (!x.ready ? x.logTail : undefined)
  const reason = run?.reason && run.state !== 'completed' ? `<br><strong>${esc(run.state)}:</strong> ${esc(run.reason)}` : ''
  return html([
    `<tr data-tier="${esc(x.tier)}" data-ready="${x.ready}">`,
    `<td>${esc(tierLabel(x.tier))}<br><code>${esc(x.tier)}</code></td><td>${esc(cls)}</td>`,
    `<td>${x.ready ? '<span class="badge s-pass">ready</span>' : '<span class="badge s-fail">not ready</span>'}</td>`,
    `<td>${esc(state)}${timing ? `<br><span class="muted">${esc(timing)}</span>` : ''}</td>`,
    `<td>${detail}${reason}${tail ? `<details><summary>log tail</summary><pre>${esc(tail)}</pre></details>` : ''}</td>`,
    '</tr>',
  ])
}

export const readinessSection = (r: RunReport, hostName: string): string => {
  const extra = r.tiers.filter((t) => !r.readiness.some((x) => x.tier === t.tier))
  return html([
    `<table class="readiness" data-host="${esc(hostName)}"><thead><tr><th>tier</th><th>class</th><th>readiness</th><th>this run</th><th>why / fix</th></tr></thead><tbody>`,
    ...r.readiness.map((x) => readinessRow(x, r)),
    ...extra.map(
      (t) =>
        `<tr data-tier="${esc(t.tier)}"><td>${esc(tierLabel(t.tier))}<br><code>${esc(t.tier)}</code></td><td></td><td></td><td>${esc(t.state)}</td><td>${esc(t.reason ?? '')}${t.logTail ? `<details><summary>log tail</summary><pre>${esc(t.logTail)}</pre></details>` : ''}</td></tr>`,
    ),
    '</tbody></table>',
  ])
}
