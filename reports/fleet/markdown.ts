/** The fleet as Markdown (a CI job summary or a ticket): summary, failures, outliers, groups, hosts × tiers. */
import type { Fleet } from '../../src/fleet/fleet-model.js'
import { mdEscape } from '../markdown.js'
import { capShort, fmtCost, readyCount } from './format.js'

export const renderFleetMarkdown = (f: Fleet): string => {
  const ok = f.hosts.filter((h) => h.state === 'ok')
  const failed = f.hosts.filter((h) => h.state === 'failed')
  const out: string[] = [
    `## virtcheck fleet: ${f.hosts.length} hosts`,
    '',
    `${ok.length} reported · ${failed.length} failed · ${f.groups.length} groups (CPU model, kernel, arch) · ${f.outliers.length} outliers`,
    '',
  ]
  if (failed.length) {
    out.push(
      '### Failed hosts',
      '',
      '| host | reason |',
      '|---|---|',
      ...failed.map((h) => `| ${mdEscape(h.name)} | ${mdEscape(h.failure ?? '')} |`),
      '',
    )
  }
  if (f.outliers.length) {
    out.push(
      '### Hosts that stand out from their group',
      '',
      '| host | tier | what differs |',
      '|---|---|---|',
      ...f.outliers.map((o) => `| ${mdEscape(o.host)} | ${o.tier} | ${mdEscape(o.detail)} |`),
      '',
    )
  }
  out.push(
    '### Groups',
    '',
    '| CPU model | kernel | arch | hosts |',
    '|---|---|---|---:|',
    ...f.groups.map((g) => `| ${mdEscape(g.cpuModel)} | ${mdEscape(g.kernel)} | ${mdEscape(g.arch)} | ${g.hosts.length} |`),
    '',
  )
  const costTiers = f.tiers.filter((t) => t !== 'native' && ok.some((h) => h.cost[t]))
  out.push(
    '### Hosts × capabilities' + (costTiers.length ? ' and cost (slowdown vs native, all job classes)' : ''),
    '',
    `| host | id | ready | ${f.tiers.join(' | ')} |`,
    `|---|---|---:|${f.tiers.map(() => '---').join('|')}|`,
    ...f.hosts.map((h) =>
      h.state === 'failed'
        ? `| ${mdEscape(h.name)} | ${h.id} | — | failed: ${mdEscape(h.failure ?? '')} |`
        : `| ${mdEscape(h.name)} | ${h.id} | ${readyCount(h)} | ${f.tiers
            .map((t) => {
              const c = h.capabilities[t]
              const cost = h.cost[t]?.['all']
              return c?.ready ? `✅${cost !== undefined ? ' ' + fmtCost(cost) : ''}` : `❌ ${mdEscape(capShort(c).replace(/^no: /, ''))}`
            })
            .join(' | ')} |`,
    ),
    '',
  )
  // Comparison keys: several keys for one job mean some hosts ran it differently (not comparable).
  const perJob = new Map<string, { keys: number; top: string; topHosts: number; hosts: number }>()
  for (const k of f.keys) {
    const id = `${k.job} ${k.metric} on ${k.tier}`
    const e = perJob.get(id) ?? { keys: 0, top: k.key, topHosts: 0, hosts: 0 }
    e.keys++
    e.hosts += k.hosts
    if (k.hosts > e.topHosts) Object.assign(e, { top: k.key, topHosts: k.hosts })
    perJob.set(id, e)
  }
  const split = [...perJob].filter(([, e]) => e.keys > 1)
  if (perJob.size > 0)
    out.push(
      '### Comparison keys',
      '',
      `${perJob.size} job results measured; ${split.length ? `${split.length} ran under more than one configuration (not comparable across all hosts):` : 'each ran under one configuration on every host that measured it.'}`,
      '',
      ...(split.length
        ? [
            '| job | keys | most common key | hosts with it |',
            '|---|---:|---|---:|',
            ...split.map(([id, e]) => `| ${mdEscape(id)} | ${e.keys} | \`${e.top}\` | ${e.topHosts} of ${e.hosts} |`),
            '',
          ]
        : []),
    )
  return out.join('\n')
}
