/**
 * Pure parsing of `vcwork agent` output lines. A line may carry console noise before the JSON (a
 * kernel message printed mid-line on a serial port), so the object is looked for from the first
 * `{"type"`; what follows must pass parseVcworkLine (src/core/workload.ts), the one schema check of
 * vcwork's output. Anything else, and any answer without a request id, is ignored (undefined).
 */
import type { TierSample } from '../core/tier.js'
import { parseVcworkLine } from '../core/workload.js'

/** What an agent's ready line says about it. */
export interface AgentIdent {
  readonly version: string
  readonly arch: string
  /** "fixed", or "randomized (why)"; absent from agents built before vcwork fixed its layout. */
  readonly addressLayout?: string
}

/** The ident fields of a ready line, without the rest of the message. */
export const identOf = (m: AgentIdent): AgentIdent => ({
  version: m.version,
  arch: m.arch,
  ...(m.addressLayout !== undefined ? { addressLayout: m.addressLayout } : {}),
})

export type AgentMessage =
  | ({ readonly type: 'ready'; readonly raw: Record<string, unknown> } & AgentIdent)
  | (TierSample & { readonly type: 'sample'; readonly id: number; readonly raw: Record<string, unknown> })
  | { readonly type: 'done'; readonly id: number; readonly raw: Record<string, unknown> }
  | { readonly type: 'error'; readonly id: number; readonly message: string; readonly raw: Record<string, unknown> }
  /** Any other typed answer with an id (e.g. the env report). */
  | { readonly type: 'other'; readonly id: number; readonly kind: string; readonly raw: Record<string, unknown> }

export const parseAgentLine = (line: string): AgentMessage | undefined => {
  const start = line.indexOf('{"type"')
  if (start < 0) return undefined
  const m = parseVcworkLine(line.slice(start))
  if (!m) return undefined
  const raw = m as unknown as Record<string, unknown>
  if (m.type === 'ready') return { type: 'ready', ...identOf(m), raw }
  const id = 'id' in m ? m.id : undefined
  if (id === undefined) return undefined
  switch (m.type) {
    case 'sample':
      return { type: 'sample', id, ...toTierSample(m), raw }
    case 'done':
      return { type: 'done', id, raw }
    case 'error':
      return { type: 'error', id, message: m.message, raw }
    default:
      return { type: 'other', id, kind: m.type, raw }
  }
}

/** The fields of a sample a tier reports (the line's transport fields dropped). */
export const toTierSample = (m: TierSample): TierSample => ({
  job: m.job,
  metric: m.metric,
  unit: m.unit,
  better: m.better,
  value: m.value,
  rep: m.rep,
  durationMs: m.durationMs,
  short: m.short,
  ...(m.stealTicksDelta !== undefined ? { stealTicksDelta: m.stealTicksDelta } : {}),
})
