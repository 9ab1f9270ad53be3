/**
 * VM and container detection on x86-64, arm64, ppc64le and s390x, from the files each platform really
 * has: CPUID leaves (vcprobe's JSON), DMI sysfs strings, device tree nodes (NUL-separated strings),
 * /proc/sysinfo, /proc/powerpc/lparcfg, /sys/hypervisor/type. Only the environment probe runs; every
 * verdict is asserted, including `unknown` where nothing says either way.
 */
import { describe, expect, it } from 'vitest'
import type { Finding } from '../../src/core/finding.js'
import { SnapshotHost } from '../../src/host/snapshot-host.js'
import { hypervisorFromSignatures } from '../../src/parse/vcprobe.js'
import { environmentProbe } from '../../probes/environment.js'
import { SnapshotBuilder } from '../fixtures/snapshots/build/builder.js'

type Arch = 'x86_64' | 'aarch64' | 'ppc64le' | 's390x'
const host = (arch: Arch) =>
  new SnapshotBuilder({ uid: 0, gid: 0, groups: [0], arch, kernelRelease: '6.1.0-27', hostname: 'h' }, `vm detection: ${arch}`)

const word = (s: string, i: number) =>
  (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0
/** vcprobe cpuid JSON: GenuineIntel, the hypervisor bit, and signatures at the given bases. */
const cpuid = (sigs: readonly [number, string, number][] = []): string => {
  const leaves: Record<string, number[]> = {
    '0x00000000.0': [0x1b, word('GenuineIntel', 0), word('GenuineIntel', 8), word('GenuineIntel', 4)],
    '0x00000001.0': [0x806f8, 0, (0x7ffa3203 | (sigs.length ? 1 << 31 : 0)) >>> 0, 0x1f8bfbff],
    '0x80000000.0': [0x80000008, 0, 0, 0],
  }
  for (const [base, sig, max] of sigs) {
    const s = sig.padEnd(12, '\0')
    leaves[`0x${base.toString(16).padStart(8, '0')}.0`] = [max, word(s, 0), word(s, 4), word(s, 8)]
  }
  return JSON.stringify({ arch: 'x86_64', leaves })
}
const dmi = (b: SnapshotBuilder, f: { sys_vendor?: string; product_name?: string; board_vendor?: string; bios_vendor?: string }) => {
  for (const [k, v] of Object.entries(f)) if (v !== undefined) b.file(`/sys/class/dmi/id/${k}`, `${v}\n`)
  return b
}
const cpuinfoX86 = (model: string, hv: boolean) =>
  `processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: ${model}\nflags\t\t: fpu vme de pse tsc msr pae${hv ? ' hypervisor' : ''}\n\n`

const vm = async (b: SnapshotBuilder): Promise<Finding> => {
  const f = (await environmentProbe.check(new SnapshotHost(b.build(), 'vm'))).find((x) => x.id === 'environment.vm')
  if (!f) throw new Error('no environment.vm')
  return f
}
const container = async (b: SnapshotBuilder): Promise<Finding> => {
  const f = (await environmentProbe.check(new SnapshotHost(b.build(), 'ct'))).find((x) => x.id === 'environment.container')
  if (!f) throw new Error('no environment.container')
  return f
}

describe('x86-64', () => {
  it('reads the whole hypervisor range: KVM exposing Hyper-V enlightenments is KVM', async () => {
    const b = host('x86_64').cmd(
      ['@vcprobe', 'cpuid'],
      cpuid([
        [0x40000000, 'Microsoft Hv', 0x4000000b],
        [0x40000100, 'KVMKVMKVM', 0x40000101],
      ]),
    )
    dmi(b, { sys_vendor: 'QEMU', product_name: 'Standard PC (Q35 + ICH9, 2009)', bios_vendor: 'EDK II' }).file(
      '/proc/cpuinfo',
      cpuinfoX86('Intel Xeon Processor (Icelake)', true),
    )
    const f = await vm(b)
    expect(f.facts).toMatchObject({ role: 'vm', vendor: 'kvm' })
    expect(f.summary).toBe('yes: a kvm guest (qemu platform) (Hyper-V enlightenments at 0x40000000, KVMKVMKVM at 0x40000100)')
  })

  it('a real Hyper-V guest stays microsoft; a signature block whose max leaf is out of range is ignored', async () => {
    expect(hypervisorFromSignatures([{ base: 0x40000000, signature: 'Microsoft Hv' }])).toEqual({ vendor: 'microsoft' })
    const b = host('x86_64').cmd(
      ['@vcprobe', 'cpuid'],
      cpuid([
        [0x40000000, 'Microsoft Hv', 0x4000000b],
        [0x40000100, 'KVMKVMKVM', 0x4000000b],
      ]),
    )
    dmi(b, { sys_vendor: 'Microsoft Corporation', product_name: 'Virtual Machine', bios_vendor: 'Microsoft Corporation' })
    expect((await vm(b)).facts).toMatchObject({ role: 'vm', vendor: 'microsoft' })
  })

  it('a QEMU TCG guest (no hypervisor signature) is found by its DMI, CPU model and virtio devices', async () => {
    const b = host('x86_64')
      .cmd(['@vcprobe', 'cpuid'], cpuid())
      .file('/proc/cpuinfo', cpuinfoX86('QEMU Virtual CPU version 2.5+', false))
      .dir('/sys/bus/virtio/devices', ['virtio0', 'virtio1'])
    dmi(b, { sys_vendor: 'QEMU', product_name: 'Standard PC (i440FX + PIIX, 1996)', bios_vendor: 'SeaBIOS' })
    const f = await vm(b)
    expect(f.facts).toMatchObject({ role: 'vm', vendor: 'qemu-tcg' })
    expect(f.summary).toBe('yes: a qemu-tcg guest (QEMU emulation: no hypervisor signature, so TCG)')
    expect(f.evidence.map((e) => e.observed).join('\n')).toMatch(/2 virtio devices/)
  })

  it('a Microsoft Surface (bare metal, DMI names a vendor that also makes hypervisors) is not a VM', async () => {
    const b = host('x86_64')
      .cmd(['@vcprobe', 'cpuid'], cpuid())
      .file('/proc/cpuinfo', cpuinfoX86('12th Gen Intel(R) Core(TM) i7-1255U', false))
    dmi(b, {
      sys_vendor: 'Microsoft Corporation',
      product_name: 'Surface Laptop 5',
      board_vendor: 'Microsoft Corporation',
      bios_vendor: 'Microsoft Corporation',
    })
    const f = await vm(b)
    expect(f.facts).toMatchObject({ role: 'bare-metal' })
    expect(f.summary).toBe('no: bare metal (hypervisor bit clear, DMI vendor discounted)')
    expect(f.evidence.find((e) => e.source === '/sys/class/dmi/id')?.observed).toMatch(
      /not counted: Microsoft Corporation \/ Surface Laptop 5: the vendor also makes Surface devices/,
    )
  })

  it('EC2: .metal is bare metal, a virtual instance is a guest on the amazon platform', async () => {
    const metal = dmi(host('x86_64').cmd(['@vcprobe', 'cpuid'], cpuid()), {
      sys_vendor: 'Amazon EC2',
      product_name: 'm5.metal',
      bios_vendor: 'Amazon EC2',
    })
    expect((await vm(metal)).facts).toMatchObject({ role: 'bare-metal' })
    const inst = dmi(host('x86_64').cmd(['@vcprobe', 'cpuid'], cpuid([[0x40000000, 'KVMKVMKVM', 0x40000001]])), {
      sys_vendor: 'Amazon EC2',
      product_name: 'c5.large',
      bios_vendor: 'Amazon EC2',
    })
    const f = await vm(inst)
    expect(f.facts).toMatchObject({ role: 'vm', vendor: 'kvm' })
    expect(f.summary).toBe('yes: a kvm guest (amazon platform)')
  })

  it('Xen PV (no CPUID signature from vcprobe available) by /sys/hypervisor/type', async () => {
    const b = host('x86_64')
      .file('/sys/hypervisor/type', 'xen\n')
      .file('/proc/cpuinfo', cpuinfoX86('Intel(R) Xeon(R) CPU E5-2676 v3', true))
    expect((await vm(b)).facts).toMatchObject({ role: 'vm', vendor: 'xen' })
    expect((await vm(b)).evidence.map((e) => e.source)).toContain('/sys/hypervisor/type')
  })

  it('x86 with neither CPUID nor /proc/cpuinfo readable is unknown, not bare metal', async () => {
    const f = await vm(host('x86_64'))
    expect(f.status).toBe('unknown')
    expect(f.summary).toMatch(/^cannot tell: no evidence either way \(neither CPUID nor \/proc\/cpuinfo readable\)/)
  })
})

describe('arm64', () => {
  const arm = () =>
    host('aarch64').file(
      '/proc/cpuinfo',
      'processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid\nCPU implementer\t: 0x41\n\n',
    )

  it('a QEMU virt machine booted with a device tree (linux,dummy-virt)', async () => {
    const b = arm().file('/proc/device-tree/compatible', 'linux,dummy-virt\0').dir('/sys/bus/virtio/devices', ['virtio0'])
    const f = await vm(b)
    expect(f.facts).toMatchObject({ role: 'vm', vendor: 'qemu' })
    expect(f.evidence.find((e) => e.source === '/proc/device-tree/compatible')?.observed).toBe('linux,dummy-virt')
  })

  it('a Xen guest by its device tree hypervisor node', async () => {
    const b = arm()
      .file('/proc/device-tree/hypervisor/compatible', 'xen,xen-4.17\0xen,xen\0')
      .file('/proc/device-tree/compatible', 'xen,xenvm-4.17\0xen,xenvm\0')
    expect((await vm(b)).facts).toMatchObject({ role: 'vm', vendor: 'xen' })
  })

  it('an ACPI-booted KVM guest by DMI', async () => {
    const b = dmi(arm(), { sys_vendor: 'QEMU', product_name: 'KVM Virtual Machine', bios_vendor: 'EFI Development Kit II / OVMF' })
    expect((await vm(b)).facts).toMatchObject({ role: 'vm', vendor: 'qemu' })
  })

  it('a Raspberry Pi and an Ampere server are bare metal by their hardware identity', async () => {
    const pi = arm().file('/proc/device-tree/compatible', 'raspberrypi,4-model-b\0brcm,bcm2711\0')
    expect(await vm(pi)).toMatchObject({
      status: 'pass',
      facts: { role: 'bare-metal' },
      summary: 'no: bare metal (device tree raspberrypi,4-model-b, no hypervisor node, no virtio devices)',
    })
    const ampere = dmi(arm(), { sys_vendor: 'GIGABYTE', product_name: 'R272-P30-00', board_vendor: 'GIGABYTE', bios_vendor: 'GIGABYTE' })
    expect((await vm(ampere)).facts).toMatchObject({ role: 'bare-metal' })
  })

  it('no CPUID, no DMI, no device tree: unknown (never "no: bare metal")', async () => {
    const f = await vm(arm())
    expect(f.status).toBe('unknown')
    expect(f.summary).toBe(
      'cannot tell: no evidence either way (aarch64 has no CPUID; no DMI, device tree or hypervisor interface says either)',
    )
  })
})

describe('s390x (/proc/sysinfo)', () => {
  const sysinfo = (cp?: string) =>
    `Manufacturer:         IBM\nType:                 3906\nModel:                701              M04\nLPAR Number:          47\nLPAR Characteristics: Shared\nLPAR Name:            LP47\nLPAR CPUs Total:      8\n${cp ? `\nVM00 Name:            LINUX01\nVM00 Control Program: ${cp}\nVM00 CPUs Total:      2\n` : ''}`
  const z = (t: string) =>
    host('s390x')
      .file(
        '/proc/cpuinfo',
        'vendor_id       : IBM/S390\n# processors    : 2\nfeatures\t: esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx sie\n',
      )
      .file('/proc/sysinfo', t)

  it('a z/VM guest', async () => {
    const f = await vm(z(sysinfo('z/VM    7.3.0')))
    expect(f.facts).toMatchObject({ role: 'vm', vendor: 'zvm' })
    expect(f.evidence.find((e) => e.source === '/proc/sysinfo')?.observed).toBe('VM00 Control Program: z/VM    7.3.0')
  })
  it('a KVM guest', async () => {
    expect((await vm(z(sysinfo('KVM/Linux')))).facts).toMatchObject({ role: 'vm', vendor: 'kvm' })
  })
  it('an LPAR is not a guest', async () => {
    const f = await vm(z(sysinfo()))
    expect(f.facts).toMatchObject({ role: 'bare-metal', partition: 'lpar' })
    expect(f.summary).toMatch(/^no: an LPAR/)
  })
})

describe('ppc64le', () => {
  const p = () =>
    host('ppc64le').file(
      '/proc/cpuinfo',
      'processor\t: 0\ncpu\t\t: POWER9 (architected), altivec supported\nclock\t\t: 2200.000000MHz\n\nplatform\t: pSeries\nmodel\t\t: IBM pSeries (emulated by qemu)\n',
    )
  it('a PowerVM LPAR (lparcfg, no hypervisor node)', async () => {
    const f = await vm(
      p().file(
        '/proc/powerpc/lparcfg',
        'lparcfg 1.9\nserial_number=IBM,0278ABCDE\nsystem_type=IBM,9009-42A\npartition_id=7\nshared_processor_mode=1\n',
      ),
    )
    expect(f.facts).toMatchObject({ role: 'vm', vendor: 'powervm' })
  })
  it('a KVM pseries guest (device tree hypervisor node wins over lparcfg)', async () => {
    const f = await vm(
      p()
        .file('/proc/device-tree/hypervisor/compatible', 'linux,kvm\0')
        .file('/proc/powerpc/lparcfg', 'lparcfg 1.9\nshared_processor_mode=1\n'),
    )
    expect(f.facts).toMatchObject({ role: 'vm', vendor: 'kvm' })
  })
})

describe('container kinds', () => {
  const linux = () => host('x86_64').file('/proc/self/status', 'Name:\tnode\nCapEff:\t00000000a80425fb\n')
  it('openvz (/proc/vz without /proc/bc), kubernetes via containerd, systemd-nspawn', async () => {
    expect((await container(linux().dir('/proc/vz', ['veinfo']))).facts).toMatchObject({ role: 'container', container: 'openvz' })
    const host2 = await container(linux().dir('/proc/vz', ['veinfo']).dir('/proc/bc', ['0']))
    expect(host2.facts).toMatchObject({ role: 'host' })
    const k8s = await container(
      linux().file(
        '/proc/self/cgroup',
        '0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1a2b.slice/cri-containerd-0f3e9d.scope\n',
      ),
    )
    expect(k8s.facts).toMatchObject({ role: 'container', container: 'kubernetes' })
    const nspawn = await container(linux().file('/run/systemd/container', 'systemd-nspawn\n'))
    expect(nspawn.facts).toMatchObject({ role: 'container', container: 'systemd-nspawn' })
    const wsl = await container(linux().file('/proc/sys/kernel/osrelease', '5.15.153.1-microsoft-standard-WSL2\n'))
    expect(wsl.facts).toMatchObject({ role: 'container', container: 'wsl' })
  })
})
