/**
 * Pure address and name planning for virtcheck's private networks. Every link gets its own /30 out of
 * 10.213.0.0/16 (a private range virtcheck uses only inside namespaces it created): .1 is the peer's
 * side, .2 the tier's side. Interface names stay within Linux's 15-character limit.
 */

export const PEER_NETNS_PREFIX = 'virtcheck-'
export const PREFIX_LENGTH = 30

export const peerNetnsName = (pid: number, n: number): string => `${PEER_NETNS_PREFIX}${pid}-${n}`

/** /30 number k (0..16383) -> its two usable addresses. */
export const linkSubnet = (k: number): { peer: string; tier: string; network: string } => {
  if (!Number.isInteger(k) || k < 0 || k >= 16384) throw new RangeError(`link index ${k} out of range`)
  const third = k >> 6
  const fourth = (k & 63) * 4
  const base = `10.213.${third}.`
  return { network: `${base}${fourth}/${PREFIX_LENGTH}`, peer: `${base}${fourth + 1}`, tier: `${base}${fourth + 2}` }
}

export const vethNames = (k: number): { peerSide: string; tierSide: string } => ({ peerSide: `vcp${k}`, tierSide: `vcc${k}` })
export const tapName = (k: number): string => `vctap${k}`

/** Is this a netns name virtcheck created (for `virtcheck cleanup`)? */
export const isVirtcheckNetns = (name: string): boolean => /^virtcheck-\d+-\d+$/.test(name)
