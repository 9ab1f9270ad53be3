/**
 * cpu.slat: second-level address translation (Intel EPT with VPID and unrestricted guest, AMD NPT),
 * and whether KVM actually uses it (kvm_intel.ept / kvm_amd.npt). Without SLAT KVM shadows guest page
 * tables, which costs a lot on memory-heavy guests.
 */
import { evidence, fail, pass, skip, unknown, warn, type Evidence } from '../src/core/finding.js'
import { parseBoolParam } from '../src/parse/kv.js'
import type { Probe } from './types.js'
import { cpuid, cpuinfo, dmesg, isArm64, isX86, moduleLoaded, moduleParam } from './lib/facts.js'

const head = { id: 'cpu.slat', area: 'cpu', title: 'Second-level address translation (EPT / NPT)' } as const

export const slatProbe: Probe = {
  id: 'slat',
  area: 'cpu',
  reads: ['/proc/cpuinfo', '/sys/module/kvm_intel/parameters/{ept,vpid,unrestricted_guest}', '/sys/module/kvm_amd/parameters/npt'],
  runs: [['@vcprobe', 'cpuid']],
  async check(host) {
    if (isArm64(host)) {
      const dm = await dmesg(host)
      if (dm.kind === 'ok' && dm.value.armHypAvailable)
        return [
          pass({ ...head, facts: { slat: 'stage-2' } }, 'Arm stage-2 translation (part of the EL2 virtualization extensions)', [
            evidence('kernel log', dm.value.armHypAvailable),
          ]),
        ]
      return [skip(head, 'Arm stage-2 translation comes with EL2; see cpu.virt-extensions')]
    }
    if (!isX86(host)) return [skip(head, `not checked on ${host.identity.arch}`)]
    const ci = await cpuinfo(host)
    if (ci.kind !== 'ok') return [unknown(head, `cannot read CPU flags: ${ci.why}`)]
    const { flags, vmxFlags, hasVmxFlagsLine } = ci.value
    if (flags.has('vmx')) {
      const has = (f: string) => vmxFlags.has(f) || flags.has(f)
      const ept = has('ept')
      const vpid = has('vpid')
      const ug = hasVmxFlagsLine ? vmxFlags.has('unrestricted_guest') : undefined
      const [pEpt, pUg, loaded] = await Promise.all([
        moduleParam(host, 'kvm_intel', 'ept'),
        moduleParam(host, 'kvm_intel', 'unrestricted_guest'),
        moduleLoaded(host, 'kvm_intel'),
      ])
      const ev: Evidence[] = [
        evidence(
          hasVmxFlagsLine ? '/proc/cpuinfo vmx flags' : '/proc/cpuinfo flags',
          `ept ${ept ? 'present' : 'absent'}, vpid ${vpid ? 'present' : 'absent'}${ug === undefined ? '' : `, unrestricted_guest ${ug ? 'present' : 'absent'}`}`,
        ),
      ]
      if (loaded) ev.push(evidence('/sys/module/kvm_intel/parameters', `ept=${pEpt ?? '?'} unrestricted_guest=${pUg ?? '?'}`))
      const facts = {
        slat: ept ? 'ept' : 'none',
        vpid,
        unrestrictedGuest: ug ?? null,
        kvmUsesSlat: loaded ? (parseBoolParam(pEpt) ?? null) : null,
      }
      if (!ept)
        return [
          fail({ ...head, facts }, 'VT-x without EPT: KVM must shadow guest page tables', ev, {
            summary: 'Use a CPU (or, in a VM, an outer hypervisor configuration) that exposes EPT; libvirt host-passthrough exposes it.',
          }),
        ]
      if (loaded && parseBoolParam(pEpt) === false)
        return [
          warn({ ...head, facts }, 'the CPU has EPT but kvm_intel is loaded with ept=N', ev, {
            summary: 'Reload kvm_intel with EPT on.',
            commands: ['modprobe -r kvm_intel && modprobe kvm_intel ept=1'],
          }),
        ]
      if (ug === false)
        return [
          warn({ ...head, facts }, 'EPT present but no unrestricted guest: real-mode guest code is emulated (slower boots)', ev, {
            summary: 'Expose unrestricted_guest from the outer hypervisor (nested) or use a newer CPU.',
          }),
        ]
      return [
        pass(
          { ...head, facts },
          `EPT${vpid ? ' + VPID' : ''}${ug ? ' + unrestricted guest' : ''}${loaded ? ', used by kvm_intel' : ''}`,
          ev,
        ),
      ]
    }
    if (flags.has('svm')) {
      const raw = await cpuid(host)
      const npt = flags.has('npt') || (raw.kind === 'ok' && raw.value.npt === true)
      const [pNpt, loaded] = await Promise.all([moduleParam(host, 'kvm_amd', 'npt'), moduleLoaded(host, 'kvm_amd')])
      const ev: Evidence[] = [evidence('/proc/cpuinfo flags', `npt ${flags.has('npt') ? 'present' : 'absent'}`)]
      if (raw.kind === 'ok' && raw.value.npt !== undefined) ev.push(evidence('CPUID 0x8000000A EDX[0]', raw.value.npt ? 'NP=1' : 'NP=0'))
      if (loaded) ev.push(evidence('/sys/module/kvm_amd/parameters/npt', pNpt ?? '?'))
      const facts = { slat: npt ? 'npt' : 'none', kvmUsesSlat: loaded ? (parseBoolParam(pNpt) ?? null) : null }
      if (!npt)
        return [
          fail(
            { ...head, facts },
            'AMD-V without nested paging (NPT): KVM must shadow guest page tables (every guest page-table update and fault exits to the host)',
            ev,
            { summary: 'Use a CPU (or outer hypervisor configuration) that exposes NPT.' },
          ),
        ]
      if (loaded && parseBoolParam(pNpt) === false)
        return [
          warn({ ...head, facts }, 'the CPU has NPT but kvm_amd is loaded with npt=0', ev, {
            summary: 'Reload kvm_amd with NPT on.',
            commands: ['modprobe -r kvm_amd && modprobe kvm_amd npt=1'],
          }),
        ]
      return [pass({ ...head, facts }, `NPT (nested paging)${loaded ? ', used by kvm_amd' : ''}`, ev)]
    }
    const pvm = await moduleLoaded(host, 'kvm_pvm')
    return [
      skip(
        { ...head, facts: { slat: 'none' } },
        pvm ? 'no VT-x/AMD-V, so no EPT/NPT: PVM uses shadow paging' : 'no VT-x/AMD-V, so SLAT does not apply (see cpu.virt-extensions)',
        [evidence('/proc/cpuinfo flags', 'no vmx, no svm')],
      ),
    ]
  },
}
