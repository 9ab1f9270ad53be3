/**
 * The host facts a tier driver needs, read from this run's probe findings (`TierOpenContext.findings`)
 * instead of checking the host again (pure: findings in, facts out). Each reader returns the fact, or
 * `undefined` when the finding is absent or could not tell (a driver opened without a probe, as in
 * tests, or a probe that timed out); the driver then checks live through `src/tiers/live-facts.ts`,
 * the one place each fallback is written.
 */
import type { Finding } from '../core/finding.js'

/** Whether a device node can be used, and in the probe's words why not. */
export type DeviceFact = { readonly kind: 'usable' } | { readonly kind: 'unusable'; readonly why: string }

export interface TierFacts {
  /** `kvm.device` (probes/kvm.ts): /dev/kvm exists and opens read-write for this user. */
  kvmDevice(): DeviceFact | undefined
  /** `devices.vhost-net` (probes/devices.ts): /dev/vhost-net opens read-write (QEMU's vhost=on). */
  vhostNet(): DeviceFact | undefined
  /** `environment.privileges` (probes/environment.ts): the uid the probe (this process) runs as. */
  uid(): number | undefined
  /** `software.vcwork` (src/probe-run/self-check.ts): a static vcwork is built for `arch`. */
  vcworkBuilt(arch: string): { readonly built: true } | { readonly built: false; readonly why: string } | undefined
  /** `os-features.swap-accounting` (probes/container-kernel.ts): memory cgroups account swap. */
  swapAccounting(): boolean | undefined
}

const facts = (findings: readonly Finding[], id: string): { finding: Finding; facts: NonNullable<Finding['facts']> } | undefined => {
  const finding = findings.find((f) => f.id === id)
  return finding?.facts ? { finding, facts: finding.facts } : undefined
}

/** A device node finding (`present`, and `writable` or `usable` when it opened): usable only on a pass. */
const deviceFact = (findings: readonly Finding[], id: string, opened: 'writable' | 'usable'): DeviceFact | undefined => {
  const f = facts(findings, id)
  if (!f) return undefined
  if (f.finding.status === 'pass' && f.facts[opened] === true) return { kind: 'usable' }
  if (f.facts['present'] === false || f.facts[opened] === false) return { kind: 'unusable', why: f.finding.summary }
  return undefined
}

export const tierFacts = (findings: readonly Finding[]): TierFacts => ({
  kvmDevice: () => deviceFact(findings, 'kvm.device', 'writable'),
  vhostNet: () => deviceFact(findings, 'devices.vhost-net', 'usable'),
  uid: () => {
    const uid = facts(findings, 'environment.privileges')?.facts['uid']
    return typeof uid === 'number' ? uid : undefined
  },
  vcworkBuilt: (arch) => {
    const f = facts(findings, 'software.vcwork')
    const built = f?.facts[arch]
    if (typeof built !== 'boolean') return undefined
    return built ? { built: true } : { built: false, why: f?.finding.summary ?? 'not built' }
  },
  swapAccounting: () => {
    const f = facts(findings, 'os-features.swap-accounting')
    const s = f?.facts['swapAccounting']
    // `unknown` ("no memory+swap control file found") could not tell: check live.
    return f?.finding.status === 'unknown' || typeof s !== 'boolean' ? undefined : s
  },
})
