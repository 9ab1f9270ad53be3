/**
 * Is this host itself a VM, a container, a confidential guest? Signals combined in systemd-detect-virt
 * order (DMI, CPUID hypervisor leaf, /sys/hypervisor, device tree; then container markers: docs/probe.md),
 * each one kept as evidence.
 */
import { evidence, pass, skip, unknown, warn, type Evidence, type Finding } from '../src/core/finding.js'
import type { Host } from '../src/core/host.js'
import { dmesgCapture } from '../src/parse/dmesg.js'
import { containerFromEnviron } from '../src/parse/kv.js'
import { parseMountinfo } from '../src/parse/mountinfo.js'
import { CAP, hasCap, isFullCapSet, parseProcStatus } from '../src/parse/proc-status.js'
import { hypervisorFromSignatures } from '../src/parse/vcprobe.js'
import type { Probe } from './types.js'
import { cpuid, cpuinfo, dmesg, exists, isX86, text } from './lib/facts.js'
import { activeLsms } from './lib/lsm.js'

/** DMI strings only a virtual platform uses. */
const DMI_VIRTUAL: readonly [RegExp, string][] = [
  [/^KVM|^OpenStack|^KubeVirt/, 'kvm'],
  [/^QEMU/, 'qemu'],
  [/^VMware|^VMW/, 'vmware'],
  [/^innotek GmbH|^VirtualBox/, 'oracle'],
  [/^Xen|^HVM domU/, 'xen'],
  [/^Bochs/, 'bochs'],
  [/^Parallels/, 'parallels'],
  [/^BHYVE/, 'bhyve'],
  [/^Google Compute Engine/, 'google'],
  [/^Firecracker/, 'firecracker'],
  [/^Apple Virtualization/, 'apple'],
]

/**
 * DMI vendors that also make real hardware: they count only when another DMI field says virtual
 * (a Surface laptop says "Microsoft Corporation" too; EC2 bare metal says "Amazon EC2" with ".metal").
 */
const DMI_AMBIGUOUS: readonly { vendor: RegExp; virtualWhen: RegExp; realWhen?: RegExp; name: string; hardware: string }[] = [
  { vendor: /^Microsoft Corporation/, virtualWhen: /^Virtual Machine/, name: 'microsoft', hardware: 'Surface devices' },
  { vendor: /^Oracle Corporation/, virtualWhen: /VirtualBox/, name: 'oracle', hardware: 'Oracle/Sun servers' },
  { vendor: /^Amazon EC2/, virtualWhen: /./, realWhen: /\.metal/, name: 'amazon', hardware: 'EC2 bare-metal instances (.metal)' },
  { vendor: /^Google$/, virtualWhen: /^Google Compute Engine/, name: 'google', hardware: 'Chromebooks and Pixel devices' },
  { vendor: /^Alibaba Cloud/, virtualWhen: /ECS/, realWhen: /ebm/i, name: 'alibaba', hardware: 'ECS bare-metal instances' },
]

interface DmiFields {
  readonly sysVendor?: string
  readonly product?: string
  readonly boardVendor?: string
  readonly biosVendor?: string
}

/** Weigh the DMI fields against each other: one virtual vendor, or an ambiguous vendor corroborated. */
export const dmiVerdict = (d: DmiFields): { vendor?: string; discounted?: string } => {
  const fields = [d.sysVendor, d.product, d.boardVendor, d.biosVendor].filter((x): x is string => !!x)
  for (const f of fields) for (const [re, name] of DMI_VIRTUAL) if (re.test(f)) return { vendor: name }
  for (const a of DMI_AMBIGUOUS) {
    const who = [d.sysVendor, d.boardVendor].find((v) => v !== undefined && a.vendor.test(v))
    if (!who) continue
    const product = d.product ?? ''
    if (a.realWhen?.test(product)) return { discounted: `${who} / ${product}: the vendor also sells ${a.hardware}` }
    if (a.virtualWhen.test(product)) return { vendor: a.name }
    return {
      discounted: `${who}${product ? ` / ${product}` : ''}: the vendor also makes ${a.hardware}, and no other DMI field says virtual`,
    }
  }
  return {}
}

/** /proc/sysinfo (s390x): the innermost "VMnn Control Program" names the hypervisor; none means an LPAR. */
export const sysinfoVerdict = (text: string): { vendor?: string; lpar: boolean; line?: string } => {
  const cp = /^VM\d\d Control Program:\s*(.+)$/m.exec(text)?.[1]?.trim()
  if (cp)
    return {
      vendor: /z\/VM/i.test(cp) ? 'zvm' : /KVM/i.test(cp) ? 'kvm' : cp.toLowerCase(),
      lpar: false,
      line: `VM00 Control Program: ${cp}`,
    }
  const lpar = /^LPAR Name:\s*(\S+)/m.exec(text)?.[1]
  return { lpar: !!lpar, ...(lpar ? { line: `LPAR Name: ${lpar}, no VM control program` } : {}) }
}

const nulList = (t: string | undefined): string[] =>
  (t ?? '')
    .split('\0')
    .map((x) => x.trim())
    .filter(Boolean)

const vmFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'environment.vm', area: 'environment', title: 'Is this host a virtual machine?' } as const
  const [raw, ci, dm, hvType, dtHv, dtCompat, sysinfo, lparcfg, virtio, ...dmi] = await Promise.all([
    cpuid(host),
    cpuinfo(host),
    dmesg(host),
    text(host, '/sys/hypervisor/type'),
    text(host, '/proc/device-tree/hypervisor/compatible'),
    text(host, '/proc/device-tree/compatible'),
    text(host, '/proc/sysinfo'),
    text(host, '/proc/powerpc/lparcfg'),
    host.list('/sys/bus/virtio/devices'),
    ...['sys_vendor', 'product_name', 'board_vendor', 'bios_vendor'].map((f) => text(host, `/sys/class/dmi/id/${f}`)),
  ])
  const ev: Evidence[] = []
  /** Positive VM signs, strongest first; the first names the vendor. */
  const vmSigns: { vendor: string; why: string }[] = []
  let cpuidSaysNo = false
  let enlightenments: string | undefined
  if (raw.kind === 'ok') {
    const sigs = raw.value.hypervisorSignatures
    ev.push(
      evidence(
        'CPUID.1:ECX[31] / leaves 0x40000000-0x4000FF00',
        raw.value.hypervisorBit
          ? `hypervisor bit set, signature${sigs.length > 1 ? 's' : ''} ${sigs.map((x) => `"${x.signature}" at 0x${x.base.toString(16)}`).join(', ') || `"${raw.value.hypervisorSignature ?? ''}"`}`
          : 'hypervisor bit clear',
      ),
    )
    if (raw.value.hypervisorBit) {
      const hv = hypervisorFromSignatures(
        sigs.length ? sigs : [{ base: 0x40000000, signature: (raw.value.hypervisorSignature ?? '').replace(/[\s\0]+$/, '') }],
      )
      enlightenments = hv?.enlightenments
      vmSigns.push({ vendor: hv?.vendor ?? 'unknown hypervisor', why: 'CPUID' })
    } else cpuidSaysNo = true
  }
  if (ci.kind === 'ok') {
    const flagHv = ci.value.flags.has('hypervisor')
    if (raw.kind !== 'ok' && isX86(host)) {
      ev.push(evidence('/proc/cpuinfo flags', flagHv ? 'hypervisor' : 'no hypervisor flag'))
      if (flagHv) vmSigns.push({ vendor: 'unknown hypervisor', why: 'cpuinfo flag' })
      else cpuidSaysNo = true // the kernel sets the flag from the same CPUID bit
    }
    // QEMU TCG has no hypervisor bit; its CPU models say what they are
    if (/^(QEMU Virtual CPU|Common KVM processor|Common 32-bit KVM processor)/.test(ci.value.modelName ?? '')) {
      ev.push(evidence('/proc/cpuinfo model name', ci.value.modelName ?? ''))
      vmSigns.push({ vendor: /KVM/.test(ci.value.modelName ?? '') ? 'kvm' : 'qemu', why: 'CPU model' })
    }
  }
  if (dm.kind === 'ok') {
    const hv = dmesgCapture('hypervisorDetected', dm.value.hypervisorDetected)
    if (hv) {
      ev.push(evidence('kernel log', dm.value.hypervisorDetected ?? ''))
      vmSigns.push({ vendor: hv.toLowerCase(), why: 'kernel log' })
      // A PVM host may present another hypervisor's CPUID signature (seen: "bhyve bhyve "); the kernel
      // knows which one it talks to.
      const first = vmSigns[0]
      if (/^pvm$/i.test(hv) && first && first.why === 'CPUID' && first.vendor !== 'pvm')
        first.vendor = `pvm (CPUID signature: ${first.vendor})`
    }
  }
  if (hvType?.trim()) {
    ev.push(evidence('/sys/hypervisor/type', hvType.trim()))
    vmSigns.push({ vendor: hvType.trim(), why: '/sys/hypervisor/type' })
  }
  const dtHvList = nulList(dtHv)
  if (dtHvList.length) {
    ev.push(evidence('/proc/device-tree/hypervisor/compatible', dtHvList.join(', ')))
    const c = dtHvList.join(' ')
    vmSigns.push({ vendor: /linux,kvm/.test(c) ? 'kvm' : /xen/.test(c) ? 'xen' : /vmware/.test(c) ? 'vmware' : c, why: 'device tree' })
  }
  const compat = nulList(dtCompat)
  if (compat.length) {
    ev.push(evidence('/proc/device-tree/compatible', compat.join(', ')))
    if (compat.includes('linux,dummy-virt')) vmSigns.push({ vendor: 'qemu', why: 'device tree machine linux,dummy-virt (QEMU virt)' })
  }
  let lpar = false
  if (sysinfo !== undefined) {
    const v = sysinfoVerdict(sysinfo)
    if (v.line) ev.push(evidence('/proc/sysinfo', v.line))
    if (v.vendor) vmSigns.push({ vendor: v.vendor, why: '/proc/sysinfo' })
    lpar = v.lpar && !v.vendor
  }
  if (lparcfg !== undefined) {
    const shared = /^shared_processor_mode=(\d)/m.exec(lparcfg)?.[1]
    ev.push(
      evidence(
        '/proc/powerpc/lparcfg',
        `present${shared !== undefined ? `, shared_processor_mode=${shared}` : ''} (a PowerVM logical partition)`,
      ),
    )
    if (!dtHvList.length) vmSigns.push({ vendor: 'powervm', why: 'lparcfg' })
  }
  const [sysVendor, product, boardVendor, biosVendor] = dmi.map((d) => d?.trim() || undefined)
  const dmiText = [sysVendor, product, boardVendor, biosVendor].filter((d): d is string => !!d)
  const dv = dmiVerdict({
    ...(sysVendor ? { sysVendor } : {}),
    ...(product ? { product } : {}),
    ...(boardVendor ? { boardVendor } : {}),
    ...(biosVendor ? { biosVendor } : {}),
  })
  if (dmiText.length)
    ev.push(evidence('/sys/class/dmi/id', `${dmiText.join(' / ')}${dv.discounted ? ` (not counted: ${dv.discounted})` : ''}`))
  if (dv.vendor) vmSigns.push({ vendor: dv.vendor, why: 'DMI' })
  const virtioN = virtio.kind === 'ok' ? virtio.entries.length : 0
  if (virtioN) ev.push(evidence('/sys/bus/virtio/devices', `${virtioN} virtio devices`))

  if (vmSigns.length) {
    // the strongest sign that names a hypervisor (a bare hypervisor flag names none)
    const first = (vmSigns.find((x) => x.vendor !== 'unknown hypervisor') ?? vmSigns[0]) as { vendor: string; why: string }
    // TCG: QEMU's platform without a hypervisor signature is emulation, not a hardware-assisted guest
    const tcg = cpuidSaysNo && first.vendor === 'qemu'
    const v = tcg ? 'qemu-tcg' : first.vendor
    const platform = dv.vendor && dv.vendor !== v && !v.startsWith(dv.vendor) ? ` (${dv.vendor} platform)` : ''
    const extra = tcg ? ' (QEMU emulation: no hypervisor signature, so TCG)' : enlightenments ? ` (${enlightenments})` : ''
    return pass({ ...head, facts: { role: 'vm', vendor: v } }, `yes: a ${v} guest${platform}${extra}`, ev)
  }
  if (lpar)
    return pass(
      { ...head, facts: { role: 'bare-metal', vendor: null, partition: 'lpar' } },
      "no: an LPAR (a PR/SM partition of the machine's own firmware), not a guest of z/VM or KVM",
      ev,
    )
  // Bare metal only with positive evidence: x86 CPUID (or the kernel's flag from it) says no
  // hypervisor; elsewhere a hardware identity (DMI or device tree) with no virtual sign.
  if (cpuidSaysNo)
    return pass(
      { ...head, facts: { role: 'bare-metal', vendor: null } },
      `no: bare metal (hypervisor bit clear${dmiText.length ? `, DMI ${dv.discounted ? 'vendor discounted' : 'not virtual'}` : ''})`,
      ev,
    )
  if (!isX86(host) && (dmiText.length || compat.length) && virtioN === 0)
    return pass(
      { ...head, facts: { role: 'bare-metal', vendor: null } },
      `no: bare metal (${dmiText.length ? `DMI ${dmiText[0]}` : `device tree ${compat[0]}`}, no hypervisor node, no virtio devices)`,
      ev,
    )
  return unknown(
    { ...head, facts: { role: null } },
    `cannot tell: no evidence either way (${isX86(host) ? 'neither CPUID nor /proc/cpuinfo readable' : `${host.identity.arch} has no CPUID; no DMI, device tree or hypervisor interface says either`}${virtioN ? `; ${virtioN} virtio devices suggest a guest` : ''})`,
    ev.length ? ev : [evidence('VM signs', 'none readable')],
  )
}

const containerFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'environment.container', area: 'environment', title: 'Is virtcheck running inside a container?' } as const
  const [osrel, dockerenv, containerenv, runSd, hostMgr, environ, selfCg, mi, status, vz, bc] = await Promise.all([
    text(host, '/proc/sys/kernel/osrelease'),
    exists(host, '/.dockerenv'),
    text(host, '/run/.containerenv'),
    text(host, '/run/systemd/container'),
    text(host, '/run/host/container-manager'),
    host.read('/proc/1/environ'),
    text(host, '/proc/self/cgroup'),
    text(host, '/proc/self/mountinfo'),
    text(host, '/proc/self/status'),
    exists(host, '/proc/vz'),
    exists(host, '/proc/bc'),
  ])
  const ev: Evidence[] = []
  let kind: string | undefined
  // OpenVZ/Virtuozzo: /proc/vz in containers and on the host; only the host also has /proc/bc.
  if (vz && !bc) {
    kind = 'openvz'
    ev.push(evidence('/proc/vz', 'present without /proc/bc (an OpenVZ container)'))
  }
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
  for (const [path, v] of [
    ['/run/systemd/container', runSd],
    ['/run/host/container-manager', hostMgr],
  ] as const)
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
    ev.push(
      evidence(
        '/.dockerenv',
        corroborated
          ? 'present'
          : 'present, but no other container sign (root fs not overlay, no docker bind mounts): leaked from an image, ignored',
      ),
    )
  }
  if (dockerBinds) ev.push(evidence('/proc/self/mountinfo', 'bind mounts from /var/lib/docker/containers'))
  const cgHint =
    selfCg &&
    /\/docker[/-]|\/libpod-|\/kubepods|\/lxc\/|\/lxc\.payload|crio-|cri-containerd-|\/containerd\/|\/machine\.slice\/machine-[^/]+\.scope/.exec(
      selfCg,
    )?.[0]
  if (cgHint) {
    kind ??= /docker/.test(cgHint)
      ? 'docker'
      : /libpod/.test(cgHint)
        ? 'podman'
        : /kubepods|crio|cri-containerd/.test(cgHint)
          ? 'kubernetes'
          : /containerd/.test(cgHint)
            ? 'containerd'
            : /machine-/.test(cgHint)
              ? 'systemd-nspawn'
              : 'lxc'
    ev.push(evidence('/proc/self/cgroup', `path contains ${cgHint}`))
  }
  if (rootMount && rootMount.fsType === 'overlay') ev.push(evidence('/proc/self/mountinfo', 'root file system is overlay'))
  const st = status ? parseProcStatus(status) : undefined
  if (!kind) {
    // Say which markers were seen and why they did not count, instead of "no markers".
    const discounted = [
      dockerenv ? '/.dockerenv (leaked from an image: no overlay root, no docker bind mounts or cgroup path)' : undefined,
    ].filter((x): x is string => !!x)
    const summary = discounted.length
      ? `no: marker present but discounted: ${discounted.join('; ')}; no other container sign`
      : 'no container markers (/.dockerenv, /run/.containerenv, container=, cgroup paths)'
    return pass(
      { ...head, facts: { role: 'host', container: null, discountedMarkers: discounted.length } },
      summary,
      ev.length ? ev : [evidence('container markers', 'none found')],
    )
  }
  const privileged = isFullCapSet(st?.capEff)
  if (st)
    ev.push(
      evidence(
        '/proc/self/status CapEff',
        st.capEff === undefined ? '?' : `0x${st.capEff.toString(16)}${privileged ? ' (full set: privileged)' : ''}`,
      ),
    )
  const facts = { role: 'container', container: kind, privileged, capSysAdmin: hasCap(st?.capEff, CAP.SYS_ADMIN) ?? null }
  if (kind === 'wsl') return pass({ ...head, facts }, 'running under WSL (a Hyper-V VM with a Microsoft kernel)', ev)
  return warn(
    { ...head, facts },
    `running inside a ${kind} container${privileged ? ' (privileged)' : ''}: kernel, modules and devices are the host's, and nested containers/VMs need privileges`,
    ev,
    {
      summary:
        'Run virtcheck on the host itself for hardware facts; inside the container, nested tiers need --privileged (or CAP_SYS_ADMIN) and a passed-through /dev/kvm.',
    },
  )
}

const cvmFinding = async (host: Host): Promise<Finding> => {
  const head = {
    id: 'environment.confidential-guest',
    area: 'environment',
    title: 'Is this host a confidential VM (SEV / TDX guest)?',
  } as const
  const [raw, dm, sevGuest, tdxGuestDev, ci] = await Promise.all([
    cpuid(host),
    dmesg(host),
    exists(host, '/dev/sev-guest'),
    exists(host, '/dev/tdx_guest'),
    cpuinfo(host),
  ])
  const ev: Evidence[] = []
  let kind: string | undefined
  if (raw.kind === 'ok' && raw.value.tdxGuest) {
    kind = 'intel-tdx'
    ev.push(evidence('CPUID leaf 0x21', 'IntelTDX'))
  }
  if (ci.kind === 'ok' && ci.value.flags.has('tdx_guest')) {
    kind ??= 'intel-tdx'
    ev.push(evidence('/proc/cpuinfo flags', 'tdx_guest'))
  }
  if (dm.kind === 'ok' && dm.value.memEncryptActive && (raw.kind === 'ok' ? raw.value.hypervisorBit : true)) {
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
  if (raw.kind !== 'ok' && dm.kind !== 'ok')
    return unknown({ ...head, facts: { cvm: null } }, 'cannot tell without raw CPUID or the kernel log', [
      evidence('CPUID', raw.why),
      evidence('kernel log', dm.why),
    ])
  return skip({ ...head, facts: { cvm: null } }, 'not a confidential guest', [
    evidence('CPUID 0x21 / kernel log / guest devices', 'no SEV or TDX guest markers'),
  ])
}

/**
 * Why /proc/1/environ was denied. Without uid 0 or CAP_SYS_PTRACE that is the reason; with both held
 * ptrace access is granted by the capability checks, so what refused it is a security module (or a
 * PID 1 in another user namespace).
 */
const environDeniedWhy = async (host: Host, status: string | undefined): Promise<string> => {
  const st = status ? parseProcStatus(status) : undefined
  const ptrace = hasCap(st?.capEff, CAP.SYS_PTRACE)
  if (host.identity.uid !== 0 || ptrace === false)
    return `permission denied (needs the same uid as PID 1 or CAP_SYS_PTRACE; this process has uid ${host.identity.uid}${ptrace === false ? ', no CAP_SYS_PTRACE' : ''})`
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
  const facts = {
    uid: host.identity.uid,
    capSysAdmin: hasCap(st?.capEff, CAP.SYS_ADMIN) ?? null,
    capSysResource: hasCap(st?.capBnd, CAP.SYS_RESOURCE) ?? null,
  }
  // Name what was refused, instead of claiming full fidelity.
  const denied: string[] = []
  if (environ.kind === 'denied') {
    const why = await environDeniedWhy(host, status)
    denied.push(`/proc/1/environ (${why.replace(/^permission denied /, '')})`)
    ev.push(evidence('/proc/1/environ', why))
  }
  const capNote = facts.capSysResource === false ? ' (CAP_SYS_RESOURCE not in the bounding set: hard rlimits cannot be raised)' : ''
  if (host.identity.uid === 0)
    return pass(
      { ...head, facts: { ...facts, denied: denied.length } },
      `running as root${capNote}: ${denied.length ? `every check at full fidelity except: denied ${denied.join('; ')}; container detection falls back to the other markers` : 'every check at full fidelity'}`,
      ev,
    )
  return pass(
    { ...head, facts: { ...facts, denied: denied.length } },
    `running as uid ${host.identity.uid}: checks that need root (MSRs, ACPI table contents, restricted kernel log) report "unknown (needs root)"`,
    ev,
  )
}

export const environmentProbe: Probe = {
  id: 'environment',
  area: 'environment',
  reads: [
    '/sys/class/dmi/id/*',
    '/sys/hypervisor/type',
    '/proc/device-tree/{compatible,hypervisor/compatible}',
    '/proc/sysinfo',
    '/proc/powerpc/lparcfg',
    '/sys/bus/virtio/devices',
    '/proc/vz',
    '/proc/bc',
    '/.dockerenv',
    '/run/.containerenv',
    '/run/systemd/container',
    '/proc/1/environ',
    '/proc/self/{cgroup,mountinfo,status}',
    '/proc/sys/kernel/osrelease',
    '/dev/sev-guest',
    '/dev/tdx_guest',
  ],
  runs: [['@vcprobe', 'cpuid'], ['dmesg']],
  async check(host) {
    return Promise.all([vmFinding(host), containerFinding(host), cvmFinding(host), privilegesFinding(host)])
  },
}
