/**
 * Host-side confidential computing: AMD SEV / SEV-ES / SEV-SNP and Intel TDX. Hardware support (CPUID,
 * flags), firmware enablement (kernel log, /dev/sev) and KVM enablement (module parameters) are
 * distinct steps; each missing one is named.
 */
import { evidence, pass, skip, unknown, warn, type Evidence, type Finding } from '../src/core/finding.js'
import type { Host } from '../src/core/host.js'
import { parseBoolParam } from '../src/parse/kv.js'
import type { Probe } from './types.js'
import { cpuid, cpuinfo, dmesg, exists, isX86, moduleLoaded, moduleParam } from './lib/facts.js'

const sevFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'confidential.amd-sev', area: 'confidential', title: 'AMD SEV / SEV-ES / SEV-SNP (host)' } as const
  const [raw, ci, dm, devSev, kvmAmd] = await Promise.all([
    cpuid(host),
    cpuinfo(host),
    dmesg(host),
    exists(host, '/dev/sev'),
    moduleLoaded(host, 'kvm_amd'),
  ])
  const vendor = (raw.kind === 'ok' ? raw.value.vendor : undefined) ?? (ci.kind === 'ok' ? ci.value.vendorId : undefined) ?? ''
  if (!/AMD|Hygon/i.test(vendor)) return skip(head, `not an AMD CPU (${vendor || 'unknown vendor'})`)
  if (raw.kind === 'ok' && raw.value.hypervisorBit) return skip(head, 'this host is a VM: SEV hosting needs bare metal')
  const ev: Evidence[] = []
  const hw =
    raw.kind === 'ok'
      ? { sev: raw.value.sev, es: raw.value.sevEs, snp: raw.value.sevSnp }
      : ci.kind === 'ok'
        ? { sev: ci.value.flags.has('sev'), es: ci.value.flags.has('sev_es'), snp: ci.value.flags.has('sev_snp') }
        : undefined
  if (raw.kind === 'ok')
    ev.push(
      evidence(
        'CPUID 0x8000001F EAX',
        `SME=${raw.value.sme ? 1 : 0} SEV=${hw?.sev ? 1 : 0} SEV-ES=${hw?.es ? 1 : 0} SEV-SNP=${hw?.snp ? 1 : 0}`,
      ),
    )
  if (ci.kind === 'ok')
    ev.push(
      evidence(
        '/proc/cpuinfo flags',
        ['sme', 'sev', 'sev_es', 'sev_snp'].filter((f) => ci.value.flags.has(f)).join(' ') ||
          'no sme/sev flags (firmware SMEE off clears them)',
      ),
    )
  const [pSev, pEs, pSnp] = await Promise.all(['sev', 'sev_es', 'sev_snp'].map((p) => moduleParam(host, 'kvm_amd', p)))
  if (kvmAmd) ev.push(evidence('/sys/module/kvm_amd/parameters', `sev=${pSev ?? '-'} sev_es=${pEs ?? '-'} sev_snp=${pSnp ?? '-'}`))
  ev.push(evidence('/dev/sev', devSev ? 'present (PSP firmware interface)' : 'missing'))
  if (dm.kind === 'ok' && (dm.value.snpEnabled ?? dm.value.sevEnabled))
    ev.push(evidence('kernel log', (dm.value.snpEnabled ?? dm.value.sevEnabled) as string))
  if (!hw) return unknown(head, 'cannot read CPUID or CPU flags', ev)
  const levels = [hw.sev && 'SEV', hw.es && 'SEV-ES', hw.snp && 'SEV-SNP'].filter(Boolean).join(', ')
  const facts = {
    sev: parseBoolParam(pSev) ?? false,
    sevEs: parseBoolParam(pEs) ?? false,
    sevSnp: parseBoolParam(pSnp) ?? false,
    hwSnp: hw.snp,
  }
  if (!hw.sev) return skip({ ...head, facts }, 'the CPU does not offer SEV', ev)
  const kvmOn = [parseBoolParam(pSev) && 'SEV', parseBoolParam(pEs) && 'SEV-ES', parseBoolParam(pSnp) && 'SEV-SNP'].filter(
    Boolean,
  ) as string[]
  if (!devSev || kvmOn.length === 0)
    return warn(
      { ...head, facts },
      `the CPU offers ${levels} but ${!devSev ? 'the firmware/PSP is not initialized (/dev/sev missing)' : 'kvm_amd has SEV disabled'}`,
      ev,
      {
        summary: !devSev
          ? 'Enable SME/SEV (SMEE, "SEV-SNP support", SNP memory coverage) in the firmware and load the ccp driver.'
          : 'Load kvm_amd with sev=1 sev_es=1 sev_snp=1.',
        commands: devSev ? ['modprobe -r kvm_amd && modprobe kvm_amd sev=1 sev_es=1 sev_snp=1'] : [],
      },
    )
  return pass(
    { ...head, facts },
    `usable by KVM: ${kvmOn.join(', ')}${hw.snp && !kvmOn.includes('SEV-SNP') ? ' (the CPU also offers SEV-SNP, not enabled)' : ''}`,
    ev,
  )
}

const tdxFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'confidential.intel-tdx', area: 'confidential', title: 'Intel TDX (host)' } as const
  const [raw, ci, dm, kvmIntel] = await Promise.all([cpuid(host), cpuinfo(host), dmesg(host), moduleLoaded(host, 'kvm_intel')])
  const vendor = (raw.kind === 'ok' ? raw.value.vendor : undefined) ?? (ci.kind === 'ok' ? ci.value.vendorId : undefined) ?? ''
  if (!/Intel/i.test(vendor)) return skip(head, `not an Intel CPU (${vendor || 'unknown vendor'})`)
  if (raw.kind === 'ok' && raw.value.hypervisorBit) return skip(head, 'this host is a VM: TDX hosting needs bare metal')
  const p = kvmIntel ? await moduleParam(host, 'kvm_intel', 'tdx') : undefined
  const flag = ci.kind === 'ok' && ci.value.flags.has('tdx_host_platform')
  const ev: Evidence[] = [
    evidence('/proc/cpuinfo flags', flag ? 'tdx_host_platform' : 'no tdx_host_platform'),
    evidence('/sys/module/kvm_intel/parameters/tdx', p ?? 'absent'),
  ]
  if (dm.kind === 'ok') ev.push(evidence('kernel log', dm.value.tdxInitialized ?? dm.value.tdxBiosEnabled ?? 'no virt/tdx messages'))
  const on = parseBoolParam(p) === true
  if (on && (flag || (dm.kind === 'ok' && dm.value.tdxInitialized)))
    return pass({ ...head, facts: { tdx: true } }, 'TDX module initialized and enabled in kvm_intel', ev)
  if (dm.kind === 'ok' && dm.value.tdxBiosEnabled && !on)
    return warn({ ...head, facts: { tdx: false } }, 'firmware enabled TDX but kvm_intel does not use it', ev, {
      summary: 'Boot with kvm_intel.tdx=1 (kernel 6.16+ with CONFIG_INTEL_TDX_HOST).',
    })
  if (dm.kind !== 'ok' && !flag && p === undefined)
    return unknown(
      { ...head, facts: { tdx: null } },
      host.identity.uid === 0 ? 'no TDX markers readable' : 'unknown (needs root): TDX state is in the kernel log',
      ev,
    )
  return skip({ ...head, facts: { tdx: false } }, 'TDX not enabled (CPU, firmware or kernel lacks it)', ev)
}

export const confidentialProbe: Probe = {
  id: 'confidential',
  area: 'confidential',
  reads: ['/dev/sev', '/sys/module/kvm_amd/parameters/{sev,sev_es,sev_snp}', '/sys/module/kvm_intel/parameters/tdx', '/proc/cpuinfo'],
  runs: [['@vcprobe', 'cpuid'], ['dmesg']],
  async check(host) {
    if (!isX86(host))
      return [
        skip(
          { id: 'confidential.host', area: 'confidential', title: 'Confidential computing (host)' },
          `SEV/TDX are x86 features; not checked on ${host.identity.arch}`,
        ),
      ]
    return Promise.all([sevFinding(host), tdxFinding(host)])
  },
}
