/** Taxonomy, methodology and raw-data sections of the HTML report. Pure HTML strings. */
import type { RunReport } from '../../src/core/report.js'
import { TIERS } from '../../src/core/tier.js'
import { esc, html } from './escape.js'

export const taxonomySection = (reports: readonly RunReport[]): string => {
  const measured = new Set(reports.flatMap((r) => r.results.map((x) => x.tier)))
  return html([
    '<p>Each tier shares a different layer with the host; the further down this list, the more it shares and the less it should cost.</p>',
    '<table class="taxonomy"><thead><tr><th>class</th><th>tier</th><th>what runs</th><th>shares with the host</th><th>in this report</th></tr></thead><tbody>',
    ...[...TIERS]
      .reverse()
      .map(
        (t) =>
          `<tr data-tier="${esc(t.id)}"><td>${esc(t.cls)}</td><td>${esc(t.label)}<br><code>${esc(t.id)}</code></td><td>${esc(t.runs)}</td><td>${esc(t.shares)}</td><td>${measured.has(t.id) ? 'measured' : '<span class="muted">—</span>'}</td></tr>`,
      ),
    '</tbody></table>',
  ])
}

const kvTable = (cls: string, rec: Readonly<Record<string, string | number | boolean>>): string => {
  const entries = Object.entries(rec)
  if (entries.length === 0) return '<span class="muted">none recorded</span>'
  return `<table class="${cls}"><tbody>${entries.map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(v)}</code></td></tr>`).join('')}</tbody></table>`
}

const repetitions = (r: RunReport): string => {
  const ns = r.results.flatMap((x) => (x.state === 'ok' ? [x.stats.n] : []))
  if (ns.length === 0) return 'no measurements'
  const min = Math.min(...ns)
  const max = Math.max(...ns)
  const noisy = r.results.filter((x) => x.state === 'ok' && x.flags.includes('noisy')).length
  return `${min === max ? min : `${min}–${max}`} repetitions per cell over ${ns.length} cells; ${noisy} cell${noisy === 1 ? '' : 's'} flagged noisy; statistic shown: median with a distribution-free 95% CI`
}

export const methodologySection = (r: RunReport, hostName: string): string =>
  html([
    `<div class="methodology" data-host="${esc(hostName)}">`,
    `<h3>${esc(hostName)}</h3>`,
    `<p>virtcheck ${esc(r.tool.version)}, report schema ${esc(r.schemaVersion)}, mode <code>${esc(r.reproduce.mode)}</code>. ${esc(repetitions(r))}.</p>`,
    `<p>Reproduce: <code>${esc(r.reproduce.argv.join(' '))}</code></p>`,
    '<div class="charts"><div><h4>Versions</h4>',
    kvTable('versions', r.reproduce.versions),
    '</div><div><h4>Settings</h4>',
    kvTable('settings', r.reproduce.settings),
    '</div></div>',
    '<h4>Tier configuration</h4>',
    '<table class="tier-config"><thead><tr><th>tier</th><th>state</th><th>configuration</th><th class="num">duration</th></tr></thead><tbody>',
    ...r.tiers.map(
      (t) =>
        `<tr><td><code>${esc(t.tier)}</code></td><td>${esc(t.state)}</td><td>${Object.entries(t.config)
          .map(([k, v]) => `<code>${esc(k)}=${esc(v)}</code>`)
          .join(' ')}</td><td class="num">${esc((t.durationMs / 1000).toFixed(1))} s</td></tr>`,
    ),
    '</tbody></table>',
    '<h4>Warnings</h4>',
    r.warnings.length === 0
      ? '<p class="muted">none</p>'
      : `<ul class="warnings">${r.warnings
          .map(
            (w) =>
              `<li><code>${esc(w.code)}</code>${w.tier ? ` [${esc(w.tier)}${w.job ? ` ${esc(w.job)}` : ''}]` : ''} ${esc(w.message)}${w.hint ? ` <span class="muted">— ${esc(w.hint)}</span>` : ''}</li>`,
          )
          .join('')}</ul>`,
    '</div>',
  ])

export const rawDataSection = (reports: readonly RunReport[], hostNames: readonly string[]): string =>
  html([
    '<p>The complete run report(s) are embedded in this page. Re-render or compare them with <code>virtcheck report FILE.json</code> / <code>virtcheck compare A.json B.json</code>.</p>',
    '<p>',
    ...reports.map(
      (r, i) =>
        `<a class="dl" data-report-index="${i}" aria-disabled="true" download="${esc(`virtcheck-${(hostNames[i] ?? 'host').replace(/[^A-Za-z0-9._-]+/g, '_')}-${r.startedAt.replace(/[:.]/g, '-')}.json`)}">Download JSON: ${esc(hostNames[i] ?? '')}</a>`,
    ),
    '</p>',
    '<p id="raw-data-nojs" class="muted">(The download links need JavaScript; without it, save this page and extract the <code>virtcheck-data</code> script element.)</p>',
  ])
