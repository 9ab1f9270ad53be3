/**
 * Pure parsing of `vcwork agent` output lines. A line may carry console noise before the JSON (a
 * kernel message printed mid-line on a serial port), so the object is looked for from the first
 * `{"type"`; anything that is not a well-formed protocol message is ignored (undefined).
 */
import type { TierSample } from '../core/tier.js'

export type AgentMessage =
  | { readonly type: 'ready'; readonly version: string; readonly arch: string; readonly raw: Record<string, unknown> }
  | (TierSample & { readonly type: 'sample'; readonly id: number; readonly raw: Record<string, unknown> })
  | { readonly type: 'done'; readonly id: number; readonly raw: Record<string, unknown> }
  | { readonly type: 'error'; readonly id: number; readonly message: string; readonly raw: Record<string, unknown> }
  /** Any other typed answer with an id (e.g. the env report). */
  | { readonly type: 'other'; readonly id: number; readonly kind: string; readonly raw: Record<string, unknown> }

const str = (v: unknown): v is string => typeof v === 'string'
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

export const parseAgentLine = (line: string): AgentMessage | undefined => {
  const start = line.indexOf('{"type"')
  if (start < 0) return undefined
  let raw: unknown
  try {
    raw = JSON.parse(line.slice(start))
  } catch {
    return undefined
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined
  const o = raw as Record<string, unknown>
  const type = o['type']
  if (type === 'ready') {
    return { type, version: str(o['version']) ? o['version'] : 'unknown', arch: str(o['arch']) ? o['arch'] : 'unknown', raw: o }
  }
  const id = o['id']
  if (!num(id)) return undefined
  if (type === 'sample') {
    const { job, metric, unit, better, value, rep, durationMs, short } = o
    if (!str(job) || !str(metric) || !str(unit) || !num(value)) return undefined
    if (better !== 'higher' && better !== 'lower') return undefined
    const steal = o['stealTicksDelta'] ?? o['stealTicks']
    return {
      type,
      id,
      job,
      metric,
      unit,
      better,
      value,
      rep: num(rep) ? rep : 0,
      durationMs: num(durationMs) ? durationMs : 0,
      short: short === true,
      ...(num(steal) ? { stealTicksDelta: steal } : {}),
      raw: o,
    }
  }
  if (type === 'done') return { type, id, raw: o }
  if (type === 'error') return { type, id, message: str(o['message']) ? o['message'] : 'agent reported an error', raw: o }
  if (str(type)) return { type: 'other', id, kind: type, raw: o }
  return undefined
}

export const toTierSample = (m: Extract<AgentMessage, { type: 'sample' }>): TierSample => ({
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
