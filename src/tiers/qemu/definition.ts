/**
 * The four x86 QEMU tiers' definitions (pure), one per profile (profiles.ts): KVM tiers need a
 * working KVM, TCG tiers only QEMU; both need a guest kernel. The driver (./index.ts) loads on demand.
 */
import type { ReadinessInputs, TierDefinition } from '../../core/tier-definition.js'
import { tierInfo, type TierId, type TierReadiness } from '../../core/tier.js'
import { decide, fact, need, vcworkNativeNeed, type Need } from '../readiness-kit.js'
import { parseQemuOptions } from './options.js'
import { QEMU_TIER_PROFILES, type QemuTierProfile } from './profiles.js'

const qemuSystem = (i: ReadinessInputs) => `software.qemu-system-${i.hostArch}`

const guestKernelNeed = (i: ReadinessInputs): Need =>
  need(i.finding('software.guest-kernel'), 'software.guest-kernel', (f) => f.status === 'pass', 'no bootable guest kernel')

const kvmReadiness = (p: QemuTierProfile, i: ReadinessInputs): TierReadiness => {
  const qemu = i.finding(qemuSystem(i))
  const mod = i.finding('kvm.module')
  const cvm = i.finding('environment.confidential-guest')
  const cpu = i.finding('cpu.virt-extensions')
  const needs: Need[] = [
    // The root cause first: a CPU without (or with firmware-disabled) VT-x/AMD-V.
    {
      ok: cpu?.status !== 'fail',
      blocker: 'cpu.virt-extensions',
      why: cpu?.summary ?? '',
      ...(cpu?.remediation ? { fix: cpu.remediation } : {}),
    },
    need(i.finding('kvm.device'), 'kvm.device', (f) => f.status === 'pass', '/dev/kvm missing or not writable'),
    need(
      mod,
      'kvm.module',
      (f) => f.status === 'pass',
      fact(mod, 'bound') === false
        ? 'kvm_pvm did not bind: this kernel is itself a PVM guest'
        : fact(mod, 'kind') === 'pvm'
          ? 'KVM is paravirtual (PVM): standard guest kernels cannot boot'
          : 'no usable KVM implementation',
    ),
    need(i.finding('kvm.api'), 'kvm.api', (f) => f.status === 'pass', 'the KVM API test failed'),
    need(
      qemu,
      qemuSystem(i),
      (f) =>
        String(fact(f, 'accelerators') ?? '')
          .split(',')
          .includes('kvm'),
      `qemu-system-${i.hostArch} with the kvm accelerator not installed`,
    ),
    guestKernelNeed(i),
    vcworkNativeNeed(i),
  ]
  if (cvm?.status === 'warn') needs.push(need(cvm, 'environment.confidential-guest', () => false, 'this host is a confidential guest'))
  const notes =
    p.devices.model === 'virtio' && i.finding('devices.vhost-net')?.status !== 'pass'
      ? ['no /dev/vhost-net: virtio-net runs in QEMU userspace']
      : []
  return decide(p.tier, needs, 'KVM, QEMU and a guest kernel available', notes)
}

const tcgReadiness = (p: QemuTierProfile, i: ReadinessInputs): TierReadiness => {
  const needs = [
    need(
      i.finding(qemuSystem(i)),
      qemuSystem(i),
      (f) =>
        String(fact(f, 'accelerators') ?? 'tcg')
          .split(',')
          .includes('tcg') && fact(f, 'installed') === true,
      `qemu-system-${i.hostArch} not installed`,
    ),
    guestKernelNeed(i),
    vcworkNativeNeed(i),
  ]
  const notes = i.finding('devices.tun')?.status !== 'pass' ? ['no /dev/net/tun: network jobs are skipped'] : []
  return decide(p.tier, needs, 'QEMU TCG and a guest kernel available', notes)
}

export const qemuDefinition = (tier: TierId): TierDefinition => {
  const p = QEMU_TIER_PROFILES.find((x) => x.tier === tier)
  if (!p) throw new Error(`no QEMU profile for tier ${tier}`)
  return {
    info: tierInfo(tier),
    readiness: (i) => (p.accel === 'kvm' ? kvmReadiness(p, i) : tcgReadiness(p, i)),
    checkOptions: (options) => void parseQemuOptions(tier, p.accel, options),
    // a KVM guest boots in seconds, a TCG one translates its whole boot; "the KVM API works" is not
    // "a guest boots", so --deep tries KVM tiers whenever /dev/kvm opens
    deep: p.accel === 'kvm' ? { timeoutMs: 20_000, tryWhenKvmOpens: true } : { timeoutMs: 60_000, tryWhenKvmOpens: false },
    loadDriver: () => import('./index.js').then((m) => m.qemuDriver(p)),
  }
}
