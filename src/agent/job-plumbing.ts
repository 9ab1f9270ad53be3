/**
 * Per-tier job parameters: IO jobs get `target` (a file in the shared scratch dir, under the path the
 * tier sees it) and net jobs get `peer` (HOST:PORT of `vcwork serve` as the tier reaches it). A job
 * whose peer is unavailable fails with the reason instead of running against something else.
 */
import type { JobOutcome, JobRequest } from '../core/tier.js'
import { needsDisk, needsPeer } from '../../workloads/index.js'

export interface TierPlumbing {
  /** Scratch dir as seen inside the tier (e.g. `/scratch` in a container). */
  readonly scratchDir?: string
  /** File name prefix, so tiers never share (or race on) one scratch file. */
  readonly tier: string
  /** `HOST:PORT`, or the reason there is no peer. */
  readonly peer?: string | { readonly unavailable: string }
}

export const scratchFileName = (tier: string, job: string): string => `vc-${tier}-${job.replace(/[^a-z0-9]+/gi, '-')}.dat`

export const withTierParams = (req: JobRequest, p: TierPlumbing): JobRequest | Extract<JobOutcome, { kind: 'failed' }> => {
  const params: Record<string, string | number> = { ...req.params }
  if (needsDisk(req.job) && params['target'] === undefined) {
    if (!p.scratchDir) return { kind: 'failed', reason: `${req.job}: no scratch directory in this tier` }
    params['target'] = `${p.scratchDir}/${scratchFileName(p.tier, req.job)}`
  }
  if (needsPeer(req.job) && params['peer'] === undefined) {
    if (p.peer === undefined) return { kind: 'failed', reason: `${req.job}: no network peer for this tier` }
    if (typeof p.peer !== 'string') return { kind: 'failed', reason: `${req.job}: network peer unavailable: ${p.peer.unavailable}` }
    params['peer'] = p.peer
  }
  return { ...req, params }
}
