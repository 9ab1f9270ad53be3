/**
 * KVM: the device, the module behind it, the API itself (vcprobe opens /dev/kvm, KVM_GET_API_VERSION,
 * KVM_CREATE_VM, KVM_CREATE_VCPU) and nested virtualization. A /dev/kvm that cannot run a standard guest
 * (paravirtual PVM) is a warning, never a plain pass.
 */
import { evidence, fail, pass, skip, unknown, warn, type Evidence, type Finding } from '../src/core/finding.js'
import { describeFailure, type Host } from '../src/core/host.js'
import { parseBoolParam } from '../src/parse/kv.js'
import type { Probe } from './types.js'
import { cmdline, cpuinfo, dmesg, isArm64, kvmProbe, memo, moduleLoaded, moduleParam, statOf, text } from './lib/facts.js'

const octal = (m: number) => m.toString(8).padStart(4, '0')

/** Which module serves /dev/kvm. */
export const kvmBackend = (host: Host): Promise<'kvm_intel' | 'kvm_amd' | 'kvm_pvm' | 'kvm_hv' | 'arm64' | undefined> =>
  memo(host, 'kvm-backend', async () => {
    for (const m of ['kvm_intel', 'kvm_amd', 'kvm_pvm', 'kvm_hv'] as const) if (await moduleLoaded(host, m)) return m
    if (isArm64(host) && (await moduleLoaded(host, 'kvm'))) return 'arm64'
    return undefined
  })

const groupName = async (host: Host, gid: number): Promise<string> => {
  const g = await text(host, '/etc/group')
  return (
    g
      ?.split('\n')
      .find((l) => l.split(':')[2] === String(gid))
      ?.split(':')[0] ?? String(gid)
  )
}

const deviceFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'kvm.device', area: 'kvm', title: '/dev/kvm exists and opens read-write' } as const
  const s = await statOf(host, '/dev/kvm')
  if (s.kind === 'missing') {
    const [ci, dm] = await Promise.all([cpuinfo(host), dmesg(host)])
    const hasExt = ci.kind === 'ok' && (ci.value.flags.has('vmx') || ci.value.flags.has('svm'))
    const pvmRefused = dm.kind === 'ok' ? dm.value.kvmPvmNotBinding : undefined
    if (pvmRefused)
      return fail(
        { ...head, facts: { present: false } },
        'no /dev/kvm: this kernel is itself a PVM guest, so the built-in kvm_pvm did not bind (see kvm.module)',
        [evidence('/dev/kvm', 'missing'), evidence('kernel log', pvmRefused)],
        PVM_GUEST_FIX,
      )
    // the module is loaded but the node is not here: a container without the device, or a /dev without udev
    const loaded = await statOf(host, '/sys/module/kvm').then(
      (m) => m.kind === 'ok',
      () => false,
    )
    if (loaded)
      return fail(
        { ...head, facts: { present: false } },
        'no /dev/kvm although the kvm module is loaded (hidden: a container without the device, or no udev)',
        [evidence('/dev/kvm', 'missing'), evidence('/sys/module/kvm', 'present')],
        {
          summary:
            'Inside a container, pass the device in (docker/podman run --device /dev/kvm, lxc: lxc.cgroup2.devices.allow = c 10:232 rwm plus a bind mount); on the host itself, create the node.',
          commands: ['sudo mknod -m 0660 /dev/kvm c 10 232 && sudo chgrp kvm /dev/kvm'],
        },
      )
    return fail({ ...head, facts: { present: false } }, 'no /dev/kvm', [evidence('/dev/kvm', 'missing')], {
      summary: hasExt
        ? 'Load the KVM module for this CPU (and check that it is enabled in the kernel config).'
        : 'KVM needs VT-x/AMD-V (see cpu.virt-extensions) and the kvm module; until then only emulation (TCG) runs.',
      commands: hasExt ? [ci.kind === 'ok' && ci.value.flags.has('svm') ? 'modprobe kvm_amd' : 'modprobe kvm_intel'] : [],
    })
  }
  if (s.kind !== 'ok') return unknown({ ...head, facts: { present: null } }, `cannot stat /dev/kvm: ${describeFailure(s)}`)
  const dev = s.rdev ? `${s.rdev.major}:${s.rdev.minor}` : '?'
  const ev: Evidence[] = [
    evidence('/dev/kvm', `${s.type} ${dev} mode ${octal(s.mode)} uid ${s.uid} gid ${s.gid} (${await groupName(host, s.gid)})`),
  ]
  if (s.type !== 'char')
    return fail({ ...head, facts: { present: false } }, `/dev/kvm is a ${s.type}, not a character device`, ev, {
      summary: 'Remove the stray file; udev recreates the device when the kvm module loads.',
    })
  const o = await host.open('/dev/kvm', 'rw')
  const id = host.identity
  if (o.kind === 'ok')
    return pass({ ...head, facts: { present: true, writable: true } }, `present (char ${dev}) and opens read-write for uid ${id.uid}`, [
      ...ev,
      evidence('open(/dev/kvm, O_RDWR)', 'ok'),
    ])
  ev.push(evidence('open(/dev/kvm, O_RDWR)', describeFailure(o)))
  if (o.kind === 'denied') {
    const inGroup = id.groups.includes(s.gid) || id.gid === s.gid
    const group = await groupName(host, s.gid)
    // joining the device's group helps only when the group may read and write it, and never for root's
    // group (that would hand out root's files): then the fix is a kvm group with mode 0660, via udev
    const groupCanWrite = (s.mode & 0o060) === 0o060
    const useKvmGroup = !inGroup && (s.gid === 0 || !groupCanWrite)
    return fail(
      { ...head, facts: { present: true, writable: false } },
      `present but not writable for uid ${id.uid}${inGroup ? ` (already in group ${group}: a device cgroup or ACL blocks it)` : ` (not in group ${group}${groupCanWrite ? '' : `, and mode ${octal(s.mode)} gives the group no read-write`})`}`,
      ev,
      {
        summary: inGroup
          ? 'Inside a container, pass the device through (docker --device /dev/kvm); otherwise check ACLs (getfacl /dev/kvm).'
          : useKvmGroup
            ? 'Give /dev/kvm to a kvm group with mode 0660 by a udev rule (it survives reboots and module reloads), add the user to that group and log in again; or run virtcheck as root.'
            : `Add the user to the ${group} group and log in again (the new group applies to new sessions only).`,
        commands: inGroup
          ? []
          : useKvmGroup
            ? [
                'sudo groupadd -f -r kvm',
                `echo 'KERNEL=="kvm", GROUP="kvm", MODE="0660"' | sudo tee /etc/udev/rules.d/65-kvm.rules`,
                'sudo udevadm control --reload && sudo udevadm trigger --name-match=kvm',
                'sudo usermod -aG kvm $USER',
              ]
            : [`sudo usermod -aG ${group} $USER`],
      },
    )
  }
  return unknown({ ...head, facts: { present: true, writable: null } }, `present, but opening it failed: ${describeFailure(o)}`, ev)
}

/** A PVM guest kernel: kvm_pvm refuses to load inside it, and nothing in this VM can change that. */
const PVM_GUEST_FIX = {
  summary:
    'This machine is itself a PVM guest, and PVM does not nest: no KVM implementation can run in it. Run KVM tiers on the outer host or on a host that exposes VT-x/AMD-V (bare metal, or a VM with nested virtualization). Until then use the TCG tiers.',
  docs: 'https://github.com/virt-pvm/linux',
} as const

const PVM_FIX = {
  summary:
    'Standard distribution kernels do not boot under PVM. Either boot guests with a PVM-enabled kernel (CONFIG_PVM_GUEST, from the virt-pvm/linux tree) or run on a host that exposes VT-x/AMD-V (bare metal, or a VM with nested virtualization). Until then use the TCG tiers.',
  docs: 'https://github.com/virt-pvm/linux',
} as const

const moduleFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'kvm.module', area: 'kvm', title: 'KVM implementation behind /dev/kvm' } as const
  const backend = await kvmBackend(host)
  if (backend === undefined) {
    const s = await statOf(host, '/dev/kvm')
    return s.kind === 'ok'
      ? unknown(
          { ...head, facts: { module: null } },
          '/dev/kvm exists but no known KVM module (kvm_intel, kvm_amd, kvm_pvm) is visible under /sys/module',
          [evidence('/sys/module', 'no kvm_intel, kvm_amd, kvm_pvm')],
        )
      : skip({ ...head, facts: { module: null } }, 'no KVM module loaded (see kvm.device)', [
          evidence('/sys/module', 'no kvm_intel, kvm_amd, kvm_pvm'),
        ])
  }
  if (backend !== 'kvm_pvm') {
    const label = {
      kvm_intel: 'hardware-assisted (Intel VT-x)',
      kvm_amd: 'hardware-assisted (AMD-V)',
      kvm_hv: 'POWER kvm_hv',
      arm64: 'Arm (EL2)',
    }[backend]
    return pass({ ...head, facts: { module: backend, kind: 'hardware' } }, `${backend === 'arm64' ? 'kvm (arm64)' : backend}: ${label}`, [
      evidence(`/sys/module/${backend === 'arm64' ? 'kvm' : backend}`, 'present'),
    ])
  }
  const ev: Evidence[] = [evidence('/sys/module/kvm_pvm', 'present (paravirtual KVM, no hardware VMX/SVM needed)')]
  const dm = await dmesg(host)
  const refused = dm.kind === 'ok' ? dm.value.kvmPvmNotBinding : undefined
  if (refused && (await statOf(host, '/dev/kvm')).kind === 'missing')
    return fail(
      { ...head, facts: { module: 'kvm_pvm', kind: 'pvm', bound: false, standardGuests: false } },
      'kvm_pvm is built in but did not bind: this kernel is itself a PVM guest, and PVM does not nest, so there is no /dev/kvm',
      [...ev, evidence('kernel log', refused), evidence('/dev/kvm', 'missing')],
      PVM_GUEST_FIX,
    )
  // bound: the API test (a vcprobe run) says whether it works
  const [api, cl, ci] = await Promise.all([kvmProbe(host), cmdline(host), cpuinfo(host)])
  if (dm.kind === 'ok' && dm.value.kvmPvmLoaded) ev.push(evidence('kernel log', dm.value.kvmPvmLoaded))
  if (cl.has('nested_pvm')) ev.push(evidence('/proc/cmdline', `nested_pvm=${cl.get('nested_pvm')}`))
  if (ci.kind === 'ok')
    ev.push(evidence('/proc/cpuinfo flags', ci.value.flags.has('vmx') || ci.value.flags.has('svm') ? 'vmx/svm present' : 'no vmx, no svm'))
  let apiWords = 'API not tested'
  if (api.kind === 'ok') {
    const v = api.value
    apiWords =
      v.open !== 'ok' ? `cannot open /dev/kvm (${v.open})` : `API works (version ${v.apiVersion ?? '?'}, CREATE_VM ${v.createVm ?? '?'})`
    ev.push(
      evidence(
        'vcprobe kvm',
        `open ${v.open}, KVM_GET_API_VERSION ${v.apiVersion ?? '-'}, KVM_CREATE_VM ${v.createVm ?? '-'}, KVM_CREATE_VCPU ${v.createVcpu ?? '-'}`,
      ),
    )
  } else ev.push(evidence('vcprobe kvm', api.why))
  return warn(
    { ...head, facts: { module: 'kvm_pvm', kind: 'pvm', standardGuests: false } },
    `paravirtual KVM (PVM) present, ${apiWords}, but standard guest kernels cannot boot under it (needs a CONFIG_PVM_GUEST kernel)`,
    ev,
    PVM_FIX,
  )
}

const apiFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'kvm.api', area: 'kvm', title: 'KVM API (GET_API_VERSION, CREATE_VM, CREATE_VCPU)' } as const
  const s = await statOf(host, '/dev/kvm')
  if (s.kind === 'missing') return skip(head, 'no /dev/kvm (see kvm.device)')
  const r = await kvmProbe(host)
  if (r.kind !== 'ok') return unknown(head, `could not run the KVM API test: ${r.why}`, [evidence('vcprobe kvm', r.why)])
  const v = r.value
  const ev = [
    evidence(
      'vcprobe kvm',
      `open ${v.open}, API ${v.apiVersion ?? '-'}, CREATE_VM ${v.createVm ?? '-'}, CREATE_VCPU ${v.createVcpu ?? '-'}`,
    ),
  ]
  if (v.caps)
    ev.push(
      evidence(
        'KVM_CHECK_EXTENSION',
        Object.entries(v.caps)
          .map(([k, n]) => `${k}=${n}`)
          .join(' '),
      ),
    )
  const facts = { apiVersion: v.apiVersion ?? null, createVm: v.createVm ?? null, maxVcpus: v.caps?.['MAX_VCPUS'] ?? null }
  if (v.open !== 'ok') return skip({ ...head, facts }, `cannot open /dev/kvm (${v.open}); see kvm.device`, ev)
  if (v.apiVersion !== 12)
    return fail({ ...head, facts }, `KVM_GET_API_VERSION returned ${v.apiVersion ?? 'an error'} (expected 12)`, ev, {
      summary: 'The KVM device does not speak the stable KVM API; check which driver provides /dev/kvm.',
    })
  if (v.createVm !== 'ok')
    return fail({ ...head, facts }, `KVM_CREATE_VM failed: ${v.createVm ?? '?'}`, ev, {
      summary:
        v.createVm === 'EBUSY'
          ? 'Another hypervisor (VirtualBox, VMware) holds VT-x; stop it.'
          : 'Check the kernel log for KVM errors (dmesg | grep -i kvm).',
    })
  if (v.createVcpu !== 'ok')
    return fail({ ...head, facts }, `KVM_CREATE_VCPU failed: ${v.createVcpu ?? '?'}`, ev, {
      summary: 'Check the kernel log for KVM errors (dmesg | grep -i kvm).',
    })
  return pass(
    { ...head, facts },
    `API version 12; KVM_CREATE_VM and KVM_CREATE_VCPU succeed (max ${v.caps?.['MAX_VCPUS'] ?? '?'} vCPUs)`,
    ev,
  )
}

const nestedFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'kvm.nested', area: 'kvm', title: 'Nested virtualization (guests running KVM)' } as const
  const backend = await kvmBackend(host)
  if (backend === 'kvm_intel' || backend === 'kvm_amd') {
    const p = await moduleParam(host, backend, 'nested')
    const on = parseBoolParam(p)
    const ev = [evidence(`/sys/module/${backend}/parameters/nested`, p ?? 'unreadable')]
    if (on === true) return pass({ ...head, facts: { nested: true } }, 'enabled: guests can use KVM themselves', ev)
    if (on === false)
      return skip({ ...head, facts: { nested: false } }, `off (enable with ${backend}.nested=1 if guests need KVM; virtcheck does not)`, ev)
    return unknown({ ...head, facts: { nested: null } }, 'nested parameter unreadable', ev)
  }
  if (backend === 'kvm_pvm') {
    const cl = await cmdline(host)
    const v = cl.get('nested_pvm')
    return skip(
      { ...head, facts: { nested: null, nestedPvm: v ?? null } },
      v !== undefined
        ? `PVM runs here inside a VM (nested_pvm=${v}); guests cannot nest KVM`
        : 'PVM does not offer nested KVM to its guests',
      [evidence('/proc/cmdline', v !== undefined ? `nested_pvm=${v}` : 'no nested_pvm')],
    )
  }
  return skip(head, backend === 'arm64' ? 'not checked on arm64' : 'no KVM module (see kvm.device)')
}

export const kvmCapabilityProbe: Probe = {
  id: 'kvm',
  area: 'kvm',
  reads: ['/dev/kvm', '/sys/module/{kvm_intel,kvm_amd,kvm_pvm,kvm}', '/sys/module/kvm_*/parameters/nested', '/proc/cmdline', '/etc/group'],
  runs: [['@vcprobe', 'kvm'], ['dmesg']],
  async check(host) {
    return Promise.all([deviceFinding(host), moduleFinding(host), apiFinding(host), nestedFinding(host)])
  },
}
