/**
 * How long one job request may take before the session gives up on it. Generous (a slow tier such as
 * TCG runs jobs many times slower than native, and the agent's targetMs is wall time per repetition)
 * but always finite, so a wedged guest or container can never hang a run.
 */
import type { JobRequest } from '../core/tier.js'

const DEFAULT_TARGET_MS = 1_000
const BASE_MS = 30_000

export const jobTimeoutMs = (req: JobRequest, slowdown = 1): number => {
  const target = req.params['targetMs']
  const perRep = typeof target === 'number' && target > 0 ? target : DEFAULT_TARGET_MS
  return Math.round(BASE_MS + req.reps * perRep * 4 * Math.max(1, slowdown))
}
