/**
 * Pairs the cells and tiers of two runs and finds what makes them not comparable: a different host
 * (hostname, CPU model, kernel, architecture), a different tier configuration (QEMU version, accel,
 * devices, runtime, limits...), or different job parameters for one cell. Pure.
 */
import type { MetricResult, RunReport, TierRun } from '../core/report.js'
import { configIdentity } from './config-identity.js'
import type { TierChange } from './types.js'

export const cellKey = (r: { tier: string; job: string; metric: string }): string => `${r.tier}\u0000${r.job}\u0000${r.metric}`

const HOST_KEYS = ['hostname', 'cpuModel', 'kernel', 'arch'] as const

const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v))

/** `host.kernel` style keys in `ignore` skip a host field; `KEY` or `TIER.KEY` skip a tier config key. */
export const hostProblems = (base: RunReport, head: RunReport, ignore: readonly string[]): string[] =>
  HOST_KEYS.filter((k) => !ignore.includes(`host.${k}`) && base.host[k] !== head.host[k]).map(
    (k) => `host ${k}: ${show(base.host[k])} -> ${show(head.host[k])}`,
  )

/** Differences in what identifies the configuration (config-identity.ts), shown with the recorded values. */
export const configProblems = (base: TierRun, head: TierRun, ignore: readonly string[]): string[] => {
  const b = configIdentity(base.config)
  const h = configIdentity(head.config)
  const keys = [...new Set([...Object.keys(b), ...Object.keys(h)])].sort()
  return keys
    .filter((k) => !ignore.includes(k) && !ignore.includes(`${base.tier}.${k}`) && b[k] !== h[k])
    .map((k) => `tier ${base.tier} config ${k}: ${show(base.config[k])} -> ${show(head.config[k])}`)
}

export const paramProblems = (base: MetricResult, head: MetricResult): string[] => {
  const keys = [...new Set([...Object.keys(base.params), ...Object.keys(head.params)])].sort()
  return keys.filter((k) => base.params[k] !== head.params[k]).map((k) => `params ${k}: ${show(base.params[k])} -> ${show(head.params[k])}`)
}

const worked = (t: TierRun): boolean => t.state === 'completed'

export const tierChanges = (
  base: RunReport,
  head: RunReport,
  ignore: readonly string[],
): { changes: TierChange[]; configByTier: Map<string, string[]> } => {
  const changes: TierChange[] = []
  const configByTier = new Map<string, string[]>()
  const headByTier = new Map(head.tiers.map((t) => [t.tier, t]))
  const baseByTier = new Map(base.tiers.map((t) => [t.tier, t]))
  for (const b of base.tiers) {
    const h = headByTier.get(b.tier)
    if (!h) {
      changes.push({ tier: b.tier, change: 'removed', detail: `tier ${b.tier} is not in the head run (base: ${b.state})` })
      continue
    }
    if (worked(b) && !worked(h))
      changes.push({ tier: b.tier, change: 'broken', detail: `${b.tier} ${h.state} in head${h.reason ? `: ${h.reason}` : ''}` })
    if (!worked(b) && worked(h))
      changes.push({
        tier: b.tier,
        change: 'fixed',
        detail: `${b.tier} completes in head (base ${b.state}${b.reason ? `: ${b.reason}` : ''})`,
      })
    const problems = configProblems(b, h, ignore)
    if (problems.length > 0) {
      configByTier.set(b.tier, problems)
      changes.push({ tier: b.tier, change: 'config-differs', detail: problems.join('; ') })
    }
  }
  for (const h of head.tiers) {
    if (!baseByTier.has(h.tier))
      changes.push({ tier: h.tier, change: 'added', detail: `tier ${h.tier} is new in the head run (${h.state})` })
  }
  return { changes, configByTier }
}
