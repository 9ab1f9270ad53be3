/**
 * The fleet page: one self-contained HTML file for hundreds of hosts. Every table is server-rendered
 * (readable without JavaScript); the inline script adds sorting and filtering. Everything from a host
 * passes through esc(). No embedded raw data (500 hosts' reports would be tens of MB): `--json` writes
 * the fleet model.
 */
import type { Fleet, FleetHost } from '../../src/fleet/fleet-model.js'
import type { TierId } from '../../src/core/tier.js'
import { CSS } from '../html/assets.js'
import { htmlPage } from '../html/page.js'
import { esc, html } from '../html/escape.js'
import { FLEET_CSS, FLEET_SCRIPT } from './assets.js'
import { capShort, costClass, fmtCost, readyCount } from './format.js'

export const FLEET_SECTIONS = [
  ['fleet-summary', 'Fleet summary'],
  ['capabilities', 'Hosts × capabilities'],
  ['why-not', 'Why tiers are not ready'],
  ['cost', 'Hosts × tier cost'],
  ['groups', 'Groups (CPU model, kernel, arch)'],
  ['outliers', 'Hosts that stand out from their group'],
  ['failed', 'Failed hosts'],
  ['keys', 'Comparison keys'],
] as const

const MAX_LISTED = 30
const hostList = (names: readonly string[]): string =>
  esc(names.slice(0, MAX_LISTED).join(', ')) +
  (names.length > MAX_LISTED ? ` <span class="muted">and ${names.length - MAX_LISTED} more</span>` : '')

const hostCell = (h: FleetHost): string => `<td data-host="${esc(h.name)}">${esc(h.name)}<br><span class="id">${esc(h.id)}</span></td>`
const searchAttr = (h: FleetHost): string => `data-search="${esc(`${h.cpuModel} ${h.kernel} ${h.arch} ${h.distro} ${h.state}`)}"`
const table = (label: string, head: string, rows: readonly string[]): string =>
  `<div class="scroll"><table class="fleet" aria-label="${esc(label)}"><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`

const summary = (f: Fleet): string => {
  const ok = f.hosts.filter((h) => h.state === 'ok')
  const failed = f.hosts.length - ok.length
  const kpi = (n: number | string, what: string) => `<div><b>${esc(n)}</b>${esc(what)}</div>`
  const perTier = f.tiers.map(
    (t) =>
      `<tr><td>${esc(t)}</td><td class="num" data-v="${ok.filter((h) => h.capabilities[t]?.ready).length}">${ok.filter((h) => h.capabilities[t]?.ready).length} of ${ok.length}</td></tr>`,
  )
  return html([
    `<div class="kpis">${kpi(f.hosts.length, ' hosts')}${kpi(ok.length, ' reported')}${kpi(failed, ' failed')}${kpi(f.groups.length, ' groups')}${kpi(f.outliers.length, ' outliers')}</div>`,
    `<table class="fleet" aria-label="tier readiness across the fleet"><thead><tr><th>tier</th><th class="num">hosts ready</th></tr></thead><tbody>${perTier.join('')}</tbody></table>`,
  ])
}

const capabilities = (f: Fleet): string => {
  const head = ['host', 'group', 'role', 'state', 'fail/warn', 'ready', ...f.tiers].map((t) => `<th>${esc(t)}</th>`).join('')
  const rows = f.hosts.map((h) => {
    if (h.state === 'failed')
      return `<tr ${searchAttr(h)}>${hostCell(h)}<td>—</td><td>—</td><td class="no">failed</td><td>—</td><td data-v="-1">—</td><td class="hostfail" colspan="${f.tiers.length}">${esc(h.failure ?? '')}</td></tr>`
    const cells = f.tiers.map((t) => {
      const c = h.capabilities[t]
      if (!c) return '<td>—</td>'
      return c.ready
        ? `<td class="ok" data-v="1">${esc(capShort(c))}</td>`
        : `<td class="no" data-v="0" title="${esc(c.reason)}">${esc(capShort(c))}</td>`
    })
    return `<tr ${searchAttr(h)}>${hostCell(h)}<td>${esc(h.cpuModel)}<br><span class="muted">${esc(h.kernel)} · ${esc(h.arch)}</span></td><td>${esc(h.virtRole)}</td><td>ok</td><td class="num" data-v="${h.fails * 1000 + h.warns}">${h.fails}/${h.warns}</td><td class="num" data-v="${readyCount(h)}">${readyCount(h)}</td>${cells.join('')}</tr>`
  })
  return `<p class="muted">Each tier cell says whether that tier can run on the host; a “no” names the finding that blocks it (the full reason is under <a href="#why-not">Why tiers are not ready</a> and in the cell's tooltip).</p>\n${table('hosts by capabilities', head, rows)}`
}

const whyNot = (f: Fleet): string => {
  const parts: string[] = []
  for (const t of f.tiers) {
    const reasons = new Map<string, string[]>()
    for (const h of f.hosts) {
      const c = h.capabilities[t]
      if (c && !c.ready) reasons.set(c.reason, [...(reasons.get(c.reason) ?? []), h.name])
    }
    if (reasons.size === 0) continue
    const rows = [...reasons]
      .sort((a, b) => b[1].length - a[1].length)
      .map(
        ([why, names]) =>
          `<tr><td class="wrap">${esc(why)}</td><td class="num" data-v="${names.length}">${names.length}</td><td class="wrap">${hostList(names)}</td></tr>`,
      )
    parts.push(
      `<h3>${esc(t)}</h3>\n<table class="fleet" aria-label="why ${esc(t)} is not ready"><thead><tr><th>reason</th><th class="num">hosts</th><th>which</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    )
  }
  return parts.length ? parts.join('\n') : '<p>Every tier is ready on every reporting host.</p>'
}

const costTable = (f: Fleet, cls: string, tiers: readonly TierId[], label: string): string => {
  const hosts = f.hosts.filter((h) => tiers.some((t) => h.cost[t]?.[cls] !== undefined))
  if (hosts.length === 0) return '<p class="muted">No host has both a native and a tier measurement for this job class.</p>'
  const head = ['host', 'group', ...tiers].map((t) => `<th>${esc(t)}</th>`).join('')
  const rows = hosts.map((h) => {
    const cells = tiers.map((t) => {
      const v = h.cost[t]?.[cls]
      return v === undefined
        ? '<td class="cost">—</td>'
        : `<td class="cost ${costClass(v)}" data-v="${v.toFixed(4)}">${esc(fmtCost(v))}</td>`
    })
    return `<tr ${searchAttr(h)}>${hostCell(h)}<td>${esc(h.cpuModel)} · ${esc(h.kernel)}</td>${cells.join('')}</tr>`
  })
  return table(label, head, rows)
}

const cost = (f: Fleet): string => {
  const tiers = f.tiers.filter((t) => t !== 'native' && f.hosts.some((h) => h.cost[t] !== undefined))
  if (tiers.length === 0)
    return '<p class="muted">No benchmark results in these reports (probe-only runs): run <code>virtcheck bench --json</code> on the hosts for costs.</p>'
  return html([
    '<p class="muted">Slowdown versus the same host\'s native run (×1.00 = native speed, ×2.00 = half as fast; geometric mean over the metrics, direction-adjusted).</p>',
    '<h3>All job classes</h3>',
    costTable(f, 'all', tiers, 'tier cost, all job classes'),
    ...f.jobClasses.map(
      (cls) => `<details><summary>Job class ${esc(cls)}</summary>\n${costTable(f, cls, tiers, `tier cost, ${cls}`)}\n</details>`,
    ),
  ])
}

const groups = (f: Fleet): string => {
  const byName = new Map(f.hosts.map((h) => [h.name, h]))
  const outl = new Map<string, number>()
  for (const o of f.outliers) outl.set(o.group, (outl.get(o.group) ?? 0) + 1)
  const head = ['CPU model', 'kernel', 'arch', 'hosts', 'tiers ready (hosts)', 'outliers', 'hosts']
    .map((t) => `<th>${esc(t)}</th>`)
    .join('')
  const rows = f.groups.map((g) => {
    const members = g.hosts.map((n) => byName.get(n)!)
    const ready = f.tiers.map((t) => `${t} ${members.filter((h) => h.capabilities[t]?.ready).length}`).join(', ')
    return `<tr><td>${esc(g.cpuModel)}</td><td>${esc(g.kernel)}</td><td>${esc(g.arch)}</td><td class="num" data-v="${g.hosts.length}">${g.hosts.length}</td><td class="wrap">${esc(ready)}</td><td class="num" data-v="${outl.get(g.key) ?? 0}">${outl.get(g.key) ?? 0}</td><td class="wrap">${hostList(g.hosts)}</td></tr>`
  })
  return table('groups', head, rows)
}

const outliers = (f: Fleet): string => {
  if (f.outliers.length === 0)
    return '<p>No host stands out from its group (groups of 3 or more hosts with the same CPU model, kernel and arch are compared).</p>'
  const head = ['host', 'group', 'kind', 'tier', 'what differs'].map((t) => `<th>${esc(t)}</th>`).join('')
  const rows = f.outliers.map(
    (o) =>
      `<tr><td>${esc(o.host)}</td><td>${esc(o.group)}</td><td>${esc(o.kind)}</td><td>${esc(o.tier)}</td><td class="wrap">${esc(o.detail)}</td></tr>`,
  )
  return `<p class="muted">Within each group of 3 or more hosts: a tier whose readiness differs from the group's majority, or a job-class cost more than ×1.25 away from the group median.</p>\n${table('outliers', head, rows)}`
}

const failed = (f: Fleet): string => {
  const hosts = f.hosts.filter((h) => h.state === 'failed')
  if (hosts.length === 0) return '<p>Every host produced a report.</p>'
  return table(
    'failed hosts',
    '<th>host</th><th>reason</th><th>from</th>',
    hosts.map(
      (h) => `<tr><td>${esc(h.name)}</td><td class="hostfail">${esc(h.failure ?? '')}</td><td><code>${esc(h.source)}</code></td></tr>`,
    ),
  )
}

const keys = (f: Fleet): string => {
  if (f.keys.length === 0) return '<p class="muted">No measured jobs, so no comparison keys.</p>'
  const byJob = new Map<string, { keys: number; hosts: number; top: string; topHosts: number }>()
  for (const k of f.keys) {
    const id = `${k.tier}\u0000${k.job}\u0000${k.metric}`
    const e = byJob.get(id) ?? { keys: 0, hosts: 0, top: k.key, topHosts: 0 }
    e.keys++
    e.hosts += k.hosts
    if (k.hosts > e.topHosts) Object.assign(e, { top: k.key, topHosts: k.hosts })
    byJob.set(id, e)
  }
  const rows = [...byJob].map(([id, e]) => {
    const [tier, job, metric] = id.split('\u0000')
    return `<tr><td>${esc(job ?? '')}</td><td>${esc(metric ?? '')}</td><td>${esc(tier ?? '')}</td><td class="num" data-v="${e.keys}">${e.keys}</td><td><code>${esc(e.top)}</code></td><td class="num" data-v="${e.topHosts}">${e.topHosts} of ${e.hosts}</td></tr>`
  })
  return `<p class="muted">A result's comparison key hashes its job, metric, parameters, tier configuration and workload version: two hosts' results compare exactly when their keys match. More than one key for a job means some hosts ran it differently. Per-host keys are in <code>virtcheck report … --json</code>.</p>\n${table('comparison keys', '<th>job</th><th>metric</th><th>tier</th><th>keys</th><th>most common key</th><th>hosts with it</th>', rows)}`
}

export const renderFleetHtml = (f: Fleet, toolVersion: string): string => {
  const failedN = f.hosts.filter((h) => h.state === 'failed').length
  const title = `virtcheck fleet: ${f.hosts.length} hosts`
  const body: Record<(typeof FLEET_SECTIONS)[number][0], string> = {
    'fleet-summary': summary(f),
    capabilities: capabilities(f),
    'why-not': whyNot(f),
    cost: cost(f),
    groups: groups(f),
    outliers: outliers(f),
    failed: failed(f),
    keys: keys(f),
  }
  return htmlPage({
    title,
    sub: `${f.hosts.length - failedN} reported · ${failedN} failed · ${f.groups.length} groups by CPU model, kernel and arch · ${f.outliers.length} outliers`,
    css: `${CSS}${FLEET_CSS}`,
    sections: FLEET_SECTIONS,
    body,
    footer: `Generated by virtcheck ${esc(toolVersion)} from ${f.hosts.length} hosts. This page loads nothing from the network.`,
    tail: [`<script>${FLEET_SCRIPT}</script>`],
  })
}
