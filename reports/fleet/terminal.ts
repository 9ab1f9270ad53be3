/** The fleet in a terminal: summary, failed hosts, outliers, groups, then one compact line per host. */
import type { Style } from '../format/style.js'
import type { Fleet } from '../../src/fleet/fleet-model.js'
import { fmtCost, readyCount } from './format.js'

/** Host strings reach the terminal: control characters (escape sequences, newlines) are replaced. */
const plain = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?')

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
  if (failed.length) lines.push(c.bold(c.red('failed hosts')), ...failed.map((h) => `  ${plain(h.name)}: ${plain(h.failure ?? '')}`), '')
  if (f.outliers.length)
    lines.push(
      c.bold(c.yellow('stand out from their group')),
      ...f.outliers.slice(0, 50).map((o) => `  ${plain(o.host)} ${o.tier}: ${plain(o.detail)}`),
      ...(f.outliers.length > 50 ? [`  … and ${f.outliers.length - 50} more (see --html)`] : []),
      '',
    )
  lines.push(
    c.bold('groups (CPU model | kernel | arch)'),
    ...f.groups.map((g) => `  ${String(g.hosts.length).padStart(4)}  ${plain(g.key)}`),
    '',
  )
  const tierHead = f.tiers.map((t) => t.slice(0, 6).padEnd(7)).join('')
  const nameW = Math.min(28, Math.max(4, ...f.hosts.map((h) => h.name.length)))
  lines.push(c.bold(`${'host'.padEnd(nameW)}  ${'id'.padEnd(12)}  rdy  ${tierHead}`))
  for (const h of f.hosts) {
    const name = plain(h.name).slice(0, nameW).padEnd(nameW)
    if (h.state === 'failed') {
      lines.push(`${name}  ${h.id}  ${c.red('failed')}: ${plain(h.failure ?? '').slice(0, 120)}`)
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
