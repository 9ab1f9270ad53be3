/**
 * The fleet in a terminal: summary, failed hosts, outliers, groups, then one compact line per host.
 * Host strings go through the one sanitiser (safeLine: shown visibly, on one line; cutText: cut whole).
 */
import type { Style } from '../format/style.js'
import type { Fleet } from '../../src/fleet/fleet-model.js'
import { cutText, safeLine } from '../format/safe-text.js'
import { fmtCost, readyCount } from './format.js'

export const renderFleetTerminal = (f: Fleet, style: Style): string => {
  const c = style.chalk
  const ok = f.hosts.filter((h) => h.state === 'ok')
  const failed = f.hosts.filter((h) => h.state === 'failed')
  const lines: string[] = [
    c.bold(`virtcheck fleet: ${f.hosts.length} hosts`) +
      ` — ${ok.length} reported, ${failed.length} failed, ${f.groups.length} groups, ${f.outliers.length} outliers`,
    '',
  ]
  lines.push(
    c.bold('tiers ready'),
    ...f.tiers.map((t) => `  ${t.padEnd(14)} ${ok.filter((h) => h.capabilities[t]?.ready).length} of ${ok.length}`),
    '',
  )
  if (failed.length)
    lines.push(c.bold(c.red('failed hosts')), ...failed.map((h) => `  ${safeLine(h.name)}: ${safeLine(h.failure ?? '')}`), '')
  if (f.outliers.length)
    lines.push(
      c.bold(c.yellow('stand out from their group')),
      ...f.outliers.slice(0, 50).map((o) => `  ${safeLine(o.host)} ${o.tier}: ${safeLine(o.detail)}`),
      ...(f.outliers.length > 50 ? [`  … and ${f.outliers.length - 50} more (see --html)`] : []),
      '',
    )
  lines.push(
    c.bold('groups (CPU model | kernel | arch)'),
    ...f.groups.map((g) => `  ${String(g.hosts.length).padStart(4)}  ${safeLine(g.key)}`),
    '',
  )
  const tierHead = f.tiers.map((t) => t.slice(0, 6).padEnd(7)).join('')
  const nameW = Math.min(28, Math.max(4, ...f.hosts.map((h) => [...safeLine(h.name)].length)))
  lines.push(c.bold(`${'host'.padEnd(nameW)}  ${'id'.padEnd(12)}  rdy  ${tierHead}`))
  for (const h of f.hosts) {
    const name = cutText(safeLine(h.name), nameW).padEnd(nameW)
    if (h.state === 'failed') {
      lines.push(`${name}  ${h.id}  ${c.red('failed')}: ${cutText(safeLine(h.failure ?? ''), 120)}`)
      continue
    }
    const cells = f.tiers.map((t) => {
      const cap = h.capabilities[t]
      const cost = h.cost[t]?.['all']
      const txt = cap === undefined ? '-' : !cap.ready ? 'no' : cost !== undefined ? fmtCost(cost) : 'yes'
      return (cap?.ready ? c.green : cap ? c.red : c.dim)(txt.padEnd(7))
    })
    lines.push(`${name}  ${h.id}  ${String(readyCount(h)).padStart(3)}  ${cells.join('')}`)
  }
  return lines.join('\n') + '\n'
}
