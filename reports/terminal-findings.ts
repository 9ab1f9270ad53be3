/**
 * Terminal rendering of probe findings and tier readiness: a pure function of the data and the Style
 * (colour, unicode, width decided once by the CLI). Findings grouped by area; evidence and fix under
 * each non-pass finding; the readiness table last.
 */
import { AREAS, type Finding, type Status } from '../src/core/finding.js'
import type { TierReadiness } from '../src/core/tier.js'
import type { Style } from './format/style.js'
import { cutText, safeDeep, safeLine } from './format/safe-text.js'

const GLYPHS: Record<Status, { u: string; a: string }> = {
  pass: { u: '✔', a: 'ok' },
  warn: { u: '!', a: '!!' },
  fail: { u: '✖', a: 'XX' },
  unknown: { u: '?', a: '??' },
  skip: { u: '–', a: '--' },
}

export const statusGlyph = (s: Status, style: Style): string => {
  const g = style.unicode ? GLYPHS[s].u : GLYPHS[s].a.padEnd(2)
  const c = style.chalk
  return s === 'pass' ? c.green(g) : s === 'warn' ? c.yellow(g) : s === 'fail' ? c.red(g) : s === 'unknown' ? c.magenta(g) : c.dim(g)
}

/** Greedy word wrap; the first line has `first` columns, the rest `rest`. */
export const wrap = (text: string, first: number, rest: number = first): string[] => {
  const words = text.split(/\s+/).filter(Boolean)
  const lines: string[] = []
  let line = ''
  for (const w of words) {
    const limit = lines.length === 0 ? first : rest
    if (line && line.length + 1 + w.length > limit) {
      lines.push(line)
      line = w
    } else line = line ? `${line} ${w}` : w
  }
  if (line) lines.push(line)
  return lines.length ? lines : ['']
}

const indentWrap = (text: string, indent: number, width: number): string[] =>
  wrap(text, Math.max(20, width - indent)).map((l) => ' '.repeat(indent) + l)

const AREA_TITLES: Record<string, string> = {
  environment: 'Environment',
  cpu: 'CPU virtualization',
  kvm: 'KVM',
  iommu: 'IOMMU',
  sriov: 'SR-IOV',
  confidential: 'Confidential computing',
  memory: 'Memory',
  cgroups: 'cgroups',
  namespaces: 'Namespaces',
  devices: 'Devices',
  software: 'Software',
  'os-features': 'OS-level virtualization features',
  internal: 'virtcheck',
}

const renderFinding = (f: Finding, style: Style): string[] => {
  const c = style.chalk
  const w = style.width
  const head = `${f.title}: ${f.summary}`
  const [firstLine = '', ...more] = wrap(head, w - 6, w - 6)
  const titleEnd = Math.min(firstLine.length, f.title.length + 1)
  const lines = [
    `  ${statusGlyph(f.status, style)} ${c.bold(firstLine.slice(0, titleEnd))}${firstLine.slice(titleEnd)}`,
    ...more.map((l) => `    ${l}`),
  ]
  if (f.status === 'pass' || f.status === 'skip') return lines
  const arrow = style.unicode ? '·' : '-'
  for (const e of f.evidence.slice(0, 5)) lines.push(...indentWrap(`${arrow} ${e.source}: ${e.observed}`, 6, w).map((l) => c.dim(l)))
  if (f.remediation) {
    const fix = style.unicode ? '→ fix:' : '-> fix:'
    lines.push(...indentWrap(`${fix} ${f.remediation.summary}`, 6, w).map((l) => c.cyan(l)))
    for (const cmd of f.remediation.commands ?? []) lines.push(`        ${c.cyan('$')} ${cmd}`)
  }
  if (f.bug) lines.push(`      ${c.red(`bug: ${f.bug.name}: ${f.bug.message}`)}`)
  return lines
}

const renderReadiness = (readiness: readonly TierReadiness[], style: Style): string[] => {
  const c = style.chalk
  const labelW = Math.max(...readiness.map((r) => r.tier.length)) + 2
  const lines = [c.bold.underline('Tier readiness')]
  for (const r of readiness) {
    const glyph = statusGlyph(r.ready ? 'pass' : 'fail', style)
    const word = r.ready ? c.green('ready    ') : c.red('not ready')
    const body = r.ready
      ? `${r.summary}${r.provedBy ? ` (proved: ${r.provedBy})` : ''}${r.notes?.length ? `; ${r.notes.join('; ')}` : ''}`
      : `${r.summary} [${r.blockedBy.join(', ')}]`
    const prefixLen = 2 + (style.unicode ? 1 : 2) + 1 + labelW + 10
    const wrapped = wrap(body, Math.max(20, style.width - prefixLen), Math.max(20, style.width - prefixLen))
    lines.push(`  ${glyph} ${r.tier.padEnd(labelW)}${word} ${wrapped[0] ?? ''}`)
    for (const l of wrapped.slice(1)) lines.push(' '.repeat(prefixLen) + l)
    if (!r.ready) {
      const fix = style.unicode ? '→ fix:' : '-> fix:'
      for (const l of wrap(`${fix} ${r.remediation.summary}`, Math.max(20, style.width - prefixLen)))
        lines.push(' '.repeat(prefixLen) + c.cyan(l))
      if (r.logTail)
        for (const l of r.logTail.split('\n').slice(-6))
          lines.push(' '.repeat(prefixLen) + c.dim(cutText(`| ${l}`, Math.max(20, style.width - prefixLen))))
    }
  }
  return lines
}

export interface FindingsHeader {
  readonly hostname: string
  readonly arch: string
  readonly kernel: string
  readonly origin: string
  readonly durationMs?: number
}

export const renderFindings = (
  rawFindings: readonly Finding[],
  rawReadiness: readonly TierReadiness[],
  style: Style,
  rawHeader?: FindingsHeader,
): string => {
  const [findings, readiness, header] = safeDeep([rawFindings, rawReadiness, rawHeader] as const)
  const c = style.chalk
  const out: string[] = []
  if (header)
    out.push(
      `${c.bold('virtcheck probe')} ${safeLine(`${header.hostname} (${header.arch}, kernel ${header.kernel})${header.origin !== 'live' ? ` from ${header.origin}` : ''}`)}${header.durationMs !== undefined ? c.dim(` in ${Math.round(header.durationMs)} ms`) : ''}`,
      '',
    )
  for (const area of AREAS) {
    const group = findings.filter((f) => f.area === area)
    if (group.length === 0) continue
    out.push(c.bold.underline(AREA_TITLES[area] ?? area))
    for (const f of group) out.push(...renderFinding(f, style))
    out.push('')
  }
  out.push(...renderReadiness(readiness, style), '')
  const count = (s: Status) => findings.filter((f) => f.status === s).length
  const bugs = findings.filter((f) => f.bug).length
  const ready = readiness.filter((r) => r.ready).length
  out.push(
    `${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail, ${count('unknown')} unknown, ${count('skip')} skipped${bugs ? c.red(`, ${bugs} probe bug(s)`) : ''}; ${ready}/${readiness.length} tiers ready`,
  )
  return out.join('\n') + '\n'
}
