/**
 * cpu.virt-extensions: VT-x / AMD-V, and *why* it is missing. The kernel strips `vmx`/`svm` from
 * /proc/cpuinfo when firmware disabled it, so a missing flag alone is ambiguous; raw CPUID (vcprobe),
 * the kernel log and the MSRs tell "absent" from "disabled by firmware" from "VM without nested".
 */
import { evidence, fail, pass, skip, unknown, warn, type Evidence, type Finding } from '../src/core/finding.js'
import type { Host } from '../src/core/host.js'
import { decodeFeatureControl, decodeVmCr, MSR_AMD_VM_CR, MSR_IA32_FEATURE_CONTROL, msrValue } from '../src/parse/msr.js'
import type { Probe } from './types.js'
import { cpuid, cpuinfo, dmesg, exists, isArm64, isX86, memo, moduleLoaded } from './lib/facts.js'

const head = { id: 'cpu.virt-extensions', area: 'cpu', title: 'CPU virtualization extensions (VT-x / AMD-V)' } as const

const BIOS_FIX = {
  summary:
    'Enable "Intel Virtualization Technology (VT-x)" or "SVM Mode" in the firmware setup, then power the machine off completely and on again (a reboot is not always enough for a locked MSR).',
} as const

/** Firmware state from the MSR (root + msr module); undefined with the reason when unreadable. */
const readFirmwareMsr = (host: Host, amd: boolean): Promise<{ disabled: boolean; observed: string } | { why: string }> =>
  memo(host, 'msr-virt', async () => {
    const index = amd ? MSR_AMD_VM_CR : MSR_IA32_FEATURE_CONTROL
    const r = await host.readBytes('/dev/cpu/0/msr', index, 8)
    if (r.kind !== 'ok') {
      const why = r.kind === 'missing' ? 'msr module not loaded (/dev/cpu/0/msr missing)' : r.kind === 'denied' ? 'needs root' : r.detail
      return { why }
    }
    const v = msrValue(r.bytes)
    if (v === undefined) return { why: 'short MSR read' }
    if (amd) {
      const d = decodeVmCr(v)
      return { disabled: d.svmDisabled, observed: `VM_CR=0x${v.toString(16)} SVMDIS=${d.svmDisabled ? 1 : 0} LOCK=${d.locked ? 1 : 0}` }
    }
    const d = decodeFeatureControl(v)
    return {
      disabled: d.disabledByFirmware,
      observed: `IA32_FEATURE_CONTROL=0x${v.toString(16)} lock=${d.locked ? 1 : 0} vmx_outside_smx=${d.vmxOutsideSmx ? 1 : 0}`,
    }
  })

const checkX86 = async (host: Host): Promise<Finding> => {
  const [ci, raw, dm, pvm] = await Promise.all([cpuinfo(host), cpuid(host), dmesg(host), moduleLoaded(host, 'kvm_pvm')])
  if (ci.kind !== 'ok') return unknown(head, `cannot read CPU flags: ${ci.why}`)
  const flags = ci.value.flags
  if (flags.has('vmx') || flags.has('svm')) {
    const ext = flags.has('vmx') ? 'vmx' : 'svm'
    return pass(
      { ...head, facts: { extension: ext === 'vmx' ? 'VT-x' : 'AMD-V' } },
      `${ext === 'vmx' ? 'VT-x' : 'AMD-V'} available (kernel flag \`${ext}\`)`,
      [evidence('/proc/cpuinfo flags', `${ext} present`)],
    )
  }
  const vendor = (raw.kind === 'ok' ? raw.value.vendor : undefined) ?? ci.value.vendorId ?? ''
  const amd = /AMD|Hygon/i.test(vendor)
  const ext = amd ? 'AMD-V (svm)' : 'VT-x (vmx)'
  const ev: Evidence[] = [evidence('/proc/cpuinfo flags', 'no vmx, no svm')]
  const inVm = (raw.kind === 'ok' && raw.value.hypervisorBit) || flags.has('hypervisor')
  if (raw.kind === 'ok')
    ev.push(
      evidence(
        raw.source,
        `vendor ${vendor || '?'}, VMX=${raw.value.vmx ? 1 : 0}, SVM=${raw.value.svm ? 1 : 0}, hypervisor bit=${raw.value.hypervisorBit ? 1 : 0}`,
      ),
    )
  else ev.push(evidence('raw CPUID', raw.why))
  const biosLine = dm.kind === 'ok' ? (dm.value.vmxDisabledByBios ?? dm.value.svmDisabledByBios) : undefined
  if (biosLine) ev.push(evidence('kernel log', biosLine))
  else ev.push(evidence('kernel log', dm.kind === 'ok' ? 'no "disabled by BIOS" message' : dm.why))
  const msr = inVm ? undefined : await readFirmwareMsr(host, amd)
  if (msr)
    ev.push(
      evidence(amd ? 'MSR 0xC0010114 (VM_CR)' : 'MSR 0x3A (IA32_FEATURE_CONTROL)', 'why' in msr ? `unreadable: ${msr.why}` : msr.observed),
    )
  const msrDisabled = msr !== undefined && 'disabled' in msr && msr.disabled
  const rawHas = raw.kind === 'ok' && (raw.value.vmx || raw.value.svm)

  if (rawHas || biosLine !== undefined || msrDisabled) {
    return fail(
      { ...head, facts: { extension: amd ? 'AMD-V' : 'VT-x', cause: 'disabled-by-firmware' } },
      `${ext} is in the CPU but disabled by the firmware (the kernel hides the flag)`,
      ev,
      BIOS_FIX,
    )
  }
  if (inVm && (raw.kind === 'ok' || dm.kind === 'ok')) {
    const summary = `this host is a virtual machine and its hypervisor does not expose ${ext} (no nested virtualization)`
    const nestedFix = {
      summary:
        'Enable nested virtualization on the outer hypervisor (libvirt: CPU mode host-passthrough; Hyper-V: ExposeVirtualizationExtensions; cloud: a nested-capable or bare-metal instance type). Without it only TCG emulation runs.',
    }
    // Same story as kvm.module: /dev/kvm works (PVM), but only PVM-built guest kernels run on it.
    if (pvm)
      return warn(
        { ...head, facts: { extension: 'none', cause: 'vm-without-nested', kvmAlternative: 'pvm' } },
        `${summary}; KVM here is paravirtual (PVM) instead, see kvm.module`,
        [...ev, evidence('/sys/module/kvm_pvm', 'present')],
        {
          summary:
            'Enable nested virtualization on the outer hypervisor (libvirt: CPU mode host-passthrough; Hyper-V: ExposeVirtualizationExtensions; cloud: a nested-capable or bare-metal instance type). Until then /dev/kvm is PVM: guests with a PVM-enabled kernel (CONFIG_PVM_GUEST) run under KVM, standard guest kernels only under TCG emulation (see kvm.module).',
        },
      )
    return fail({ ...head, facts: { extension: 'none', cause: 'vm-without-nested' } }, summary, ev, nestedFix)
  }
  if (raw.kind === 'ok') {
    return fail(
      { ...head, facts: { extension: 'none', cause: 'absent-from-cpu' } },
      `the CPU has no ${ext}: raw CPUID reports it absent`,
      ev,
      {
        summary:
          'This CPU cannot run hardware-assisted guests; only emulation (TCG) and containers are available. Use a CPU with VT-x/AMD-V for KVM.',
      },
    )
  }
  return unknown(
    { ...head, facts: { extension: 'unknown' } },
    host.identity.uid === 0
      ? `no ${ext} flag, and neither raw CPUID nor the MSR could be read to tell "absent" from "disabled by firmware"`
      : `unknown (needs root): no ${ext} flag; telling "absent" from "disabled by firmware" needs raw CPUID, the kernel log or the MSR`,
    ev,
    { summary: 'Build the vcprobe helper (`node workloads/build.mjs`) or rerun as root with the msr module loaded (`modprobe msr`).' },
  )
}

const checkArm64 = async (host: Host): Promise<Finding> => {
  const [dm, kvm] = await Promise.all([dmesg(host), exists(host, '/dev/kvm')])
  const ev: Evidence[] = []
  if (dm.kind === 'ok') {
    const line = dm.value.armHypAvailable ?? dm.value.armHypUnavailable
    ev.push(evidence('kernel log', line ?? 'no EL2/HYP message'))
    if (dm.value.armHypAvailable)
      return pass({ ...head, facts: { extension: 'arm-el2' } }, 'the kernel booted at EL2: Arm virtualization extensions available', [
        ...ev,
        evidence('/dev/kvm', kvm ? 'present' : 'missing'),
      ])
    if (dm.value.armHypUnavailable)
      return fail(
        { ...head, facts: { extension: 'none', cause: 'booted-at-el1' } },
        'the kernel booted at EL1 (HYP mode not available): no KVM on this machine',
        ev,
        {
          summary:
            'Arm KVM needs the kernel entered at EL2; cloud arm64 VMs usually start at EL1. Use bare metal or an instance type that supports nested virtualization.',
        },
      )
  } else ev.push(evidence('kernel log', dm.why))
  ev.push(evidence('/dev/kvm', kvm ? 'present' : 'missing'))
  if (kvm)
    return pass(
      { ...head, facts: { extension: 'arm-el2' } },
      'KVM device present, so the kernel runs at EL2 (Arm has no CPU flag for this)',
      ev,
    )
  return unknown(
    { ...head, facts: { extension: 'unknown' } },
    'arm64 exposes no virtualization flag and the kernel log did not say whether EL2 is available',
    ev,
  )
}

export const cpuVirtProbe: Probe = {
  id: 'cpu',
  area: 'cpu',
  reads: ['/proc/cpuinfo', '/dev/cpu/0/msr', '/sys/module/kvm_pvm', '/dev/kvm'],
  runs: [['@vcprobe', 'cpuid'], ['dmesg']],
  async check(host) {
    if (isX86(host)) return [await checkX86(host)]
    if (isArm64(host)) return [await checkArm64(host)]
    return [skip(head, `not checked on ${host.identity.arch}`)]
  },
}
