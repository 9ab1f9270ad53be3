/**
 * Pure: a job request as the guest must see it. IO jobs get the guest's benchmark disk as `target`
 * (the host path the runner chose means nothing inside the guest); net jobs get the peer address
 * on the guest's tap link as `peer`. Without a network, net jobs are refused with a clear reason.
 */
import type { JobRequest } from '../../core/tier.js'
import { needsDisk, needsPeer } from '../../../workloads/index.js'

export type GuestRequest = { readonly kind: 'ok'; readonly req: JobRequest } | { readonly kind: 'refused'; readonly reason: string }

export const toGuestRequest = (
  req: JobRequest,
  guest: { readonly disk?: string; readonly peer?: string; readonly noNetworkReason?: string },
): GuestRequest => {
  const params: Record<string, string | number> = { ...req.params }
  if (needsPeer(req.job)) {
    if (!guest.peer)
      return {
        kind: 'refused',
        reason: `${req.job}: the guest has no network: ${guest.noNetworkReason ?? 'no network peer was set up for this run'}`,
      }
    params['peer'] = guest.peer
  }
  if (needsDisk(req.job) || 'target' in params) {
    if (!guest.disk) return { kind: 'refused', reason: `${req.job}: the guest has no benchmark disk` }
    params['target'] = guest.disk
  }
  return { kind: 'ok', req: { ...req, params } }
}
