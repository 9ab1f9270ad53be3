/**
 * Pure: check a lab host's outputs against its expectations. Every expectation that does not hold
 * becomes one line naming the host, the run, what was expected, what was seen and why it is the truth,
 * so a failing lab test reads as a list of wrong verdicts.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Expectation, HostOutcome, LabHost, RunOutput } from './host.js'

interface FindingLike {
  readonly id: string
  readonly status?: string
  readonly summary?: string
  readonly facts?: Record<string, unknown>
  readonly remediation?: { readonly summary?: string; readonly commands?: readonly string[] }
}
interface ReadinessLike {
  readonly tier: string
  readonly ready: boolean
  readonly summary?: string
}

const findingsOf = (json: unknown): FindingLike[] | undefined => {
  const f = (json as { findings?: unknown } | undefined)?.findings
  return Array.isArray(f) ? (f as FindingLike[]) : undefined
}
const readinessOf = (json: unknown): ReadinessLike[] | undefined => {
  const r = (json as { readiness?: unknown } | undefined)?.readiness
  return Array.isArray(r) ? (r as ReadinessLike[]) : undefined
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v)))

const checkOne = (e: Expectation, out: RunOutput): string | undefined => {
  switch (e.kind) {
    case 'exit':
      return out.exitCode === e.code
        ? undefined
        : `exit code ${show(e.code)} expected, got ${out.exitCode ?? 'none (did not finish)'}${out.stderr ? `; stderr: ${out.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`
    case 'custom':
      return e.check(out) === undefined ? undefined : `${e.what}: ${e.check(out)}`
    case 'finding': {
      const all = findingsOf(out.json)
      if (!all) return `finding ${e.id}: the run produced no findings (exit ${out.exitCode ?? 'none'})`
      const f = all.find((x) => x.id === e.id)
      if (!f) return `finding ${e.id}: absent`
      const problems: string[] = []
      const statuses = e.status === undefined ? undefined : typeof e.status === 'string' ? [e.status] : e.status
      if (statuses && !statuses.includes(String(f.status) as never)) problems.push(`status ${statuses.join('|')} expected, got ${f.status}`)
      for (const [k, want] of Object.entries(e.facts ?? {})) {
        const got = f.facts?.[k]
        if (!isDeepStrictEqual(got, want)) problems.push(`fact ${k} = ${show(want)} expected, got ${show(got)}`)
      }
      if (e.summary && !e.summary.test(f.summary ?? '')) problems.push(`summary matching ${e.summary} expected, got ${show(f.summary)}`)
      if (e.fix) {
        const text = [f.remediation?.summary ?? '', ...(f.remediation?.commands ?? [])].join('\n')
        if (!e.fix.test(text)) problems.push(`a fix matching ${e.fix} expected, got ${show(text || 'no remediation')}`)
      }
      return problems.length ? `finding ${e.id}: ${problems.join('; ')} (because ${e.because}; summary: ${show(f.summary)})` : undefined
    }
    case 'readiness': {
      const all = readinessOf(out.json)
      if (!all) return `readiness ${e.tier}: the run produced no readiness list (exit ${out.exitCode ?? 'none'})`
      const r = all.find((x) => x.tier === e.tier)
      if (!r) return `readiness ${e.tier}: absent`
      const problems: string[] = []
      if (r.ready !== e.ready) problems.push(`${e.ready ? 'ready' : 'not ready'} expected, got ${r.ready ? 'ready' : 'not ready'}`)
      if (e.summary && !e.summary.test(r.summary ?? '')) problems.push(`summary matching ${e.summary} expected`)
      return problems.length ? `readiness ${e.tier}: ${problems.join('; ')} (because ${e.because}; summary: ${show(r.summary)})` : undefined
    }
  }
}

/** Every expectation of `host` that the outcome does not meet, one line each; empty when all hold. */
export const unmetExpectations = (host: LabHost, outcome: HostOutcome): string[] => {
  const lines: string[] = []
  for (const e of host.expect) {
    const out = outcome.runs.find((r) => r.name === e.run)
    if (!out) {
      lines.push(`${host.name}/${e.run}: the run did not come back (host ${outcome.ended})`)
      continue
    }
    const problem = checkOne(e, out)
    if (problem) lines.push(`${host.name}/${e.run}: ${problem}`)
  }
  return lines
}

/** A description's mistakes that would make a test meaningless (an expectation on a run it never makes). */
export const descriptionProblems = (host: LabHost): string[] => {
  const names = new Set(host.runs.map((r) => r.name))
  const out: string[] = []
  if (names.size !== host.runs.length) out.push(`${host.name}: two runs share a name`)
  for (const r of host.runs)
    if (!/^[a-z][a-z0-9-]*$/.test(r.name)) out.push(`${host.name}: run name ${show(r.name)} must be lower-case words`)
  for (const e of host.expect)
    if (!names.has(e.run)) out.push(`${host.name}: an expectation refers to run ${show(e.run)}, which the host does not make`)
  for (const r of host.runs)
    if ((r.args === undefined) === (r.shell === undefined)) out.push(`${host.name}/${r.name}: give either args or shell`)
  if (host.expect.length === 0) out.push(`${host.name}: no expectations`)
  return out
}
