/**
 * Is this host itself a VM, a container, a confidential guest? Signals combined in systemd-detect-virt
 * order (research/probe-anchors.md §2.5, §3.12, §3.13), each one kept as evidence.
 */
import { evidence, pass, skip, unknown, warn, type Evidence, type Finding } from '../src/core/finding.js'
import type { Host } from '../src/core/host.js'
import { dmesgCapture } from '../src/parse/dmesg.js'
import { containerFromEnviron } from '../src/parse/kv.js'
import { parseMountinfo } from '../src/parse/mountinfo.js'
import { CAP, hasCap, isFullCapSet, parseProcStatus } from '../src/parse/proc-status.js'
import { HYPERVISOR_SIGNATURES } from '../src/parse/vcprobe.js'
import type { Probe } from '../src/probe/types.js'
import { cpuid, cpuinfo, dmesg, exists, text } from './lib/facts.js'
import { activeLsms } from './lib/lsm.js'

const DMI_VENDORS: readonly [RegExp, string][] = [
  [/^KVM|^OpenStack|^KubeVirt/, 'kvm'],
  [/^Amazon EC2/, 'amazon'],
  [/^QEMU/, 'qemu'],
  [/^VMware|^VMW/, 'vmware'],
  [/^innotek GmbH|^VirtualBox|^Oracle Corporation/, 'oracle'],
  [/^Xen/, 'xen'],
  [/^Bochs/, 'bochs'],
  [/^Parallels/, 'parallels'],
  [/^BHYVE/, 'bhyve'],
  [/^Microsoft Corporation/, 'microsoft'],
  [/^Google Compute Engine|^Google/, 'google'],
  [/^Firecracker/, 'firecracker'],
  [/^Apple Virtualization/, 'apple'],
]

const vmFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'environment.vm', area: 'environment', title: 'Is this host a virtual machine?' } as const
  const [raw, ci, dm, hvType, ...dmi] = await Promise.all([
    cpuid(host),
    cpuinfo(host),
    dmesg(host),
    text(host, '/sys/hypervisor/type'),
    ...['sys_vendor', 'product_name', 'board_vendor', 'bios_vendor'].map((f) => text(host, `/sys/class/dmi/id/${f}`)),
  ])
  const ev: Evidence[] = []
  let vendor: string | undefined
  if (raw.ok) {
    ev.push(evidence('CPUID.1:ECX[31] / leaf 0x40000000', raw.value.hypervisorBit ? `hypervisor bit set, signature "${raw.value.hypervisorSignature ?? ''}"` : 'hypervisor bit clear'))
    // signatures are padded to 12 bytes ("bhyve bhyve ")
    const sig = (raw.value.hypervisorSignature ?? '').replace(/[\s\0]+$/, '')
    if (raw.value.hypervisorBit) vendor = HYPERVISOR_SIGNATURES[sig] ?? `other (${sig || '?'})`
  }
  const flagHv = ci.ok && ci.value.flags.has('hypervisor')
  if (ci.ok && !raw.ok) ev.push(evidence('/proc/cpuinfo flags', flagHv ? 'hypervisor' : 'no hypervisor flag'))
  if (dm.ok) {
    const hv = dmesgCapture('hypervisorDetected', dm.value.hypervisorDetected)
    if (hv) ev.push(evidence('kernel log', dm.value.hypervisorDetected ?? ''))
    // A PVM host may present another hypervisor's CPUID signature (seen: "bhyve bhyve "); the kernel
    // knows which one it talks to.
    if (hv && /^pvm$/i.test(hv) && vendor !== undefined && vendor !== 'pvm') vendor = `pvm (CPUID signature: ${vendor})`
    vendor ??= hv?.toLowerCase()
  }
  if (hvType?.trim()) {
    ev.push(evidence('/sys/hypervisor/type', hvType.trim()))
    vendor ??= hvType.trim()
  }
  const dmiText = dmi.map((d) => d?.trim()).filter((d): d is string => !!d)
  let dmiVendor: string | undefined
  for (const d of dmiText) for (const [re, name] of DMI_VENDORS) if (!dmiVendor && re.test(d)) dmiVendor = name
  if (dmiText.length) ev.push(evidence('/sys/class/dmi/id', dmiText.join(' / ')))
  // EC2 bare metal says "Amazon EC2" in DMI but has no hypervisor bit and a .metal product name.
  const ec2Metal = dmiText.some((d) => /\.metal/.test(d))
  const isVm = (raw.ok ? raw.value.hypervisorBit : flagHv) || (!!dmiVendor && !ec2Metal) || !!hvType?.trim()
  if (isVm) {
    const v = vendor ?? dmiVendor ?? 'unknown hypervisor'
    return pass({ ...head, facts: { role: 'vm', vendor: v } }, `yes: a ${v} guest${dmiVendor && dmiVendor !== v ? ` (${dmiVendor} platform)` : ''}`, ev)
  }
  if (!raw.ok && !ci.ok) return unknown({ ...head, facts: { role: null } }, 'cannot tell: neither CPUID nor /proc/cpuinfo readable', ev)
  return pass({ ...head, facts: { role: 'bare-metal', vendor: null } }, 'no: bare metal (no hypervisor bit, no virtual DMI vendor)', ev)
}

const containerFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'environment.container', area: 'environment', title: 'Is virtcheck running inside a container?' } as const
  const [osrel, dockerenv, containerenv, runSd, hostMgr, environ, selfCg, mi, status] = await Promise.all([
    text(host, '/proc/sys/kernel/osrelease'),
    exists(host, '/.dockerenv'),
    text(host, '/run/.containerenv'),
    text(host, '/run/systemd/container'),
    text(host, '/run/host/container-manager'),
    host.read('/proc/1/environ'),
    text(host, '/proc/self/cgroup'),
    text(host, '/proc/self/mountinfo'),
    text(host, '/proc/self/status'),
  ])
  const ev: Evidence[] = []
  let kind: string | undefined
  if (osrel && /microsoft|WSL/i.test(osrel)) {
    kind = 'wsl'
    ev.push(evidence('/proc/sys/kernel/osrelease', osrel.trim()))
  }
  if (environ.kind === 'ok') {
    const c = containerFromEnviron(environ.text)
    if (c) {
      kind ??= c
      ev.push(evidence('/proc/1/environ', `container=${c}`))
    }
  } else if (environ.kind === 'denied') ev.push(evidence('/proc/1/environ', await environDeniedWhy(host, status)))
  for (const [path, v] of [['/run/systemd/container', runSd], ['/run/host/container-manager', hostMgr]] as const)
    if (v?.trim()) {
      kind ??= v.trim()
      ev.push(evidence(path, v.trim()))
    }
  if (containerenv !== undefined) {
    kind ??= 'podman'
    ev.push(evidence('/run/.containerenv', containerenv.includes('rootless=1') ? 'present (rootless)' : 'present'))
  }
  const mounts = mi ? parseMountinfo(mi) : []
  const rootMount = mounts.find((m) => m.mountPoint === '/')
  // Docker bind-mounts /etc/hostname, /etc/hosts, /etc/resolv.conf from its containers folder.
  const dockerBinds = mounts.some((m) => /\/docker\/containers\/[0-9a-f]{12,}/.test(m.root))
  if (dockerenv) {
    // /.dockerenv leaks into images built from containers (systemd checks it last for that reason):
    // believe it only with a second sign (overlay root, docker bind mounts, docker cgroup path).
    const corroborated = rootMount?.fsType === 'overlay' || dockerBinds || /docker/.test(selfCg ?? '')
    if (corroborated) kind ??= 'docker'
    ev.push(evidence('/.dockerenv', corroborated ? 'present' : 'present, but no other container sign (root fs not overlay, no docker bind mounts): leaked from an image, ignored'))
  }
  if (dockerBinds) ev.push(evidence('/proc/self/mountinfo', 'bind mounts from /var/lib/docker/containers'))
  const cgHint = selfCg && /\/docker[/-]|\/libpod-|\/kubepods|\/lxc\/|\/lxc\.payload|crio-/.exec(selfCg)?.[0]
  if (cgHint) {
    kind ??= /docker/.test(cgHint) ? 'docker' : /libpod/.test(cgHint) ? 'podman' : /kubepods|crio/.test(cgHint) ? 'kubernetes' : 'lxc'
    ev.push(evidence('/proc/self/cgroup', `path contains ${cgHint}`))
  }
  if (rootMount && rootMount.fsType === 'overlay') ev.push(evidence('/proc/self/mountinfo', 'root file system is overlay'))
  const st = status ? parseProcStatus(status) : undefined
  if (!kind) {
    // Say which markers were seen and why they did not count, instead of "no markers".
    const discounted = [dockerenv ? '/.dockerenv (leaked from an image: no overlay root, no docker bind mounts or cgroup path)' : undefined].filter((x): x is string => !!x)
    const summary = discounted.length ? `no: marker present but discounted: ${discounted.join('; ')}; no other container sign` : 'no container markers (/.dockerenv, /run/.containerenv, container=, cgroup paths)'
    return pass({ ...head, facts: { role: 'host', container: null, discountedMarkers: discounted.length } }, summary, ev.length ? ev : [evidence('container markers', 'none found')])
  }
  const privileged = isFullCapSet(st?.capEff)
  if (st) ev.push(evidence('/proc/self/status CapEff', st.capEff === undefined ? '?' : `0x${st.capEff.toString(16)}${privileged ? ' (full set: privileged)' : ''}`))
  const facts = { role: 'container', container: kind, privileged, capSysAdmin: hasCap(st?.capEff, CAP.SYS_ADMIN) ?? null }
  if (kind === 'wsl') return pass({ ...head, facts }, 'running under WSL (a Hyper-V VM with a Microsoft kernel)', ev)
  return warn({ ...head, facts }, `running inside a ${kind} container${privileged ? ' (privileged)' : ''}: kernel, modules and devices are the host's, and nested containers/VMs need privileges`, ev, {
    summary: 'Run virtcheck on the host itself for hardware facts; inside the container, nested tiers need --privileged (or CAP_SYS_ADMIN) and a passed-through /dev/kvm.',
  })
}

const cvmFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'environment.confidential-guest', area: 'environment', title: 'Is this host a confidential VM (SEV / TDX guest)?' } as const
  const [raw, dm, sevGuest, tdxGuestDev, ci] = await Promise.all([cpuid(host), dmesg(host), exists(host, '/dev/sev-guest'), exists(host, '/dev/tdx_guest'), cpuinfo(host)])
  const ev: Evidence[] = []
  let kind: string | undefined
  if (raw.ok && raw.value.tdxGuest) {
    kind = 'intel-tdx'
    ev.push(evidence('CPUID leaf 0x21', 'IntelTDX'))
  }
  if (ci.ok && ci.value.flags.has('tdx_guest')) {
    kind ??= 'intel-tdx'
    ev.push(evidence('/proc/cpuinfo flags', 'tdx_guest'))
  }
  if (dm.ok && dm.value.memEncryptActive && (raw.ok ? raw.value.hypervisorBit : true)) {
    const w = dm.value.memEncryptActive
    kind ??= /SEV-SNP/.test(w) ? 'amd-sev-snp' : /SEV-ES/.test(w) ? 'amd-sev-es' : /SEV/.test(w) ? 'amd-sev' : undefined
    ev.push(evidence('kernel log', w))
  }
  if (sevGuest) {
    kind ??= 'amd-sev-snp'
    ev.push(evidence('/dev/sev-guest', 'present'))
  }
  if (tdxGuestDev) {
    kind ??= 'intel-tdx'
    ev.push(evidence('/dev/tdx_guest', 'present'))
  }
  if (kind)
    return warn({ ...head, facts: { cvm: kind } }, `this host is a confidential guest (${kind}): KVM is not supported inside it`, ev, {
      summary: 'Confidential guests cannot host KVM guests; use the TCG and container tiers, or run virtcheck on the host.',
    })
  if (!raw.ok && !dm.ok) return unknown({ ...head, facts: { cvm: null } }, 'cannot tell without raw CPUID or the kernel log', [evidence('CPUID', raw.ok ? 'ok' : raw.why), evidence('kernel log', dm.ok ? 'ok' : dm.why)])
  return skip({ ...head, facts: { cvm: null } }, 'not a confidential guest', [evidence('CPUID 0x21 / kernel log / guest devices', 'no SEV or TDX guest markers')])
}

/**
 * Why /proc/1/environ was denied. Without uid 0 or CAP_SYS_PTRACE that is the reason; with both held
 * ptrace access is granted by the capability checks, so what refused it is a security module (or a
 * PID 1 in another user namespace).
 */
const environDeniedWhy = async (host: Host, status: string | undefined): Promise<string> => {
  const st = status ? parseProcStatus(status) : undefined
  const ptrace = hasCap(st?.capEff, CAP.SYS_PTRACE)
  if (host.identity.uid !== 0 || ptrace === false) return `permission denied (needs the same uid as PID 1 or CAP_SYS_PTRACE; this process has uid ${host.identity.uid}${ptrace === false ? ', no CAP_SYS_PTRACE' : ''})`
  const [lsm, pid1Ns, selfNs] = await Promise.all([activeLsms(host), host.stat('/proc/1/ns/user'), host.stat('/proc/self/ns/user')])
  const otherNs = pid1Ns.kind === 'ok' && selfNs.kind === 'ok' && pid1Ns.target !== undefined && pid1Ns.target !== selfNs.target
  return `permission denied although uid 0 and CAP_SYS_PTRACE are held, so neither is the cause: ${otherNs ? 'PID 1 is in another user namespace' : `a Linux security module is the likely cause (${lsm.names.length ? `active: ${lsm.names.join(', ')}` : 'none visible from here'})`}`
}

const privilegesFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'environment.privileges', area: 'environment', title: 'Privileges of this probe run' } as const
  const [status, environ] = await Promise.all([text(host, '/proc/self/status'), host.read('/proc/1/environ')])
  const st = status ? parseProcStatus(status) : undefined
  const ev = [evidence('identity', `uid ${host.identity.uid}, gid ${host.identity.gid}`)]
  if (st?.capEff !== undefined) ev.push(evidence('/proc/self/status CapEff', `0x${st.capEff.toString(16)}`))
  const facts = { uid: host.identity.uid, capSysAdmin: hasCap(st?.capEff, CAP.SYS_ADMIN) ?? null, capSysResource: hasCap(st?.capBnd, CAP.SYS_RESOURCE) ?? null }
  // Name what was refused, instead of claiming full fidelity.
  const denied: string[] = []
  if (environ.kind === 'denied') {
    const why = await environDeniedWhy(host, status)
    denied.push(`/proc/1/environ (${why.replace(/^permission denied /, '')})`)
    ev.push(evidence('/proc/1/environ', why))
  }
  const capNote = facts.capSysResource === false ? ' (CAP_SYS_RESOURCE not in the bounding set: hard rlimits cannot be raised)' : ''
  if (host.identity.uid === 0)
    return pass({ ...head, facts: { ...facts, denied: denied.length } }, `running as root${capNote}: ${denied.length ? `every check at full fidelity except: denied ${denied.join('; ')}; container detection falls back to the other markers` : 'every check at full fidelity'}`, ev)
  return pass({ ...head, facts: { ...facts, denied: denied.length } }, `running as uid ${host.identity.uid}: checks that need root (MSRs, ACPI table contents, restricted kernel log) report "unknown (needs root)"`, ev)
}

export const environmentProbe: Probe = {
  id: 'environment',
  area: 'environment',
  reads: ['/sys/class/dmi/id/*', '/sys/hypervisor/type', '/.dockerenv', '/run/.containerenv', '/run/systemd/container', '/proc/1/environ', '/proc/self/{cgroup,mountinfo,status}', '/proc/sys/kernel/osrelease', '/dev/sev-guest', '/dev/tdx_guest'],
  runs: [['@vcprobe', 'cpuid'], ['dmesg']],
  async check(host) {
    return Promise.all([vmFinding(host), containerFinding(host), cvmFinding(host), privilegesFinding(host)])
  },
}
