import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { parseAcpiHeader, parseDmarFlags, parseIortSmmu } from '../../src/parse/acpi.js'
import { cgroupModeFromMounts, cgroupModeFromStatfs, parseProcCgroups, parseSelfCgroup } from '../../src/parse/cgroup.js'
import { parseCpuinfo } from '../../src/parse/cpuinfo.js'
import { dmesgCapture, scanDmesg } from '../../src/parse/dmesg.js'
import { parseElf } from '../../src/parse/elf.js'
import { decodeConfigBytes, kconfigEnabled, parseKconfig } from '../../src/parse/kconfig.js'
import { containerFromEnviron, parseBoolParam, parseBracketChoice, parseCmdline, parseMeminfo, parseSubIds } from '../../src/parse/kv.js'
import { parseMountinfo } from '../../src/parse/mountinfo.js'
import { decodeFeatureControl, decodeVmCr, msrValue } from '../../src/parse/msr.js'
import { hasCap, isFullCapSet, parseProcStatus } from '../../src/parse/proc-status.js'
import { decodeCpuid, parseCpuidDump, parseKvmProbe, parseUsernsProbe } from '../../src/parse/vcprobe.js'
import { acpiTable, cpuidJson, elfHeader } from '../fixtures/snapshots/build/builder.js'

describe('cpuinfo', () => {
  const text =
    'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon\ncpu MHz\t\t: 2000.000\nflags\t\t: fpu vmx ept hypervisor\nvmx flags\t: ept vpid unrestricted_guest\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\nflags\t\t: fpu\n'
  it('takes the first block, whole tokens, counts processors', () => {
    const c = parseCpuinfo(text)
    expect(c.flags.has('vmx')).toBe(true)
    expect(c.flags.has('vm')).toBe(false)
    expect(c.vmxFlags.has('unrestricted_guest')).toBe(true)
    expect(c.processors).toBe(2)
    expect(c.mhz).toBe(2000)
  })
  it('reads arm64 Features', () =>
    expect(parseCpuinfo('processor\t: 0\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\n').cpuImplementer).toBe('0x41'))
})

describe('kv', () => {
  it('module booleans accept Y/N and 1/0', () => {
    expect(parseBoolParam('Y\n')).toBe(true)
    expect(parseBoolParam('1')).toBe(true)
    expect(parseBoolParam('N')).toBe(false)
    expect(parseBoolParam('0')).toBe(false)
    expect(parseBoolParam('maybe')).toBeUndefined()
  })
  it('cmdline stops at the init separator', () => {
    const m = parseCmdline('ro quiet nested_pvm=1 -- --init-arg=1')
    expect(m.get('nested_pvm')).toBe('1')
    expect(m.has('quiet')).toBe(true)
    expect(m.has('--init-arg')).toBe(false)
  })
  it('meminfo, bracket choice, subuid, environ', () => {
    expect(parseMeminfo('MemTotal:  100 kB\nHugePages_Total: 4\n').get('HugePages_Total')).toBe(4)
    expect(parseBracketChoice('always [madvise] never')).toBe('madvise')
    expect(parseSubIds('alice:100000:65536\n# c\nbad\n')).toEqual([{ owner: 'alice', start: 100000, count: 65536 }])
    expect(containerFromEnviron('PATH=/bin\0container=podman\0')).toBe('podman')
    expect(containerFromEnviron('PATH=/bin\0')).toBeUndefined()
  })
})

describe('kconfig', () => {
  const text = 'CONFIG_KVM=y\nCONFIG_TUN=m\n# CONFIG_VHOST_NET is not set\nCONFIG_LOCALVERSION="-x"\n'
  it('parses y/m/n and strings, from gzip too', () => {
    const k = parseKconfig(decodeConfigBytes(gzipSync(Buffer.from(text))) ?? '')
    expect(k.get('LOCALVERSION')).toBe('-x')
    expect(kconfigEnabled(k, 'TUN')).toBe(true)
    expect(kconfigEnabled(k, 'VHOST_NET')).toBe(false)
    expect(kconfigEnabled(k, 'NOPE')).toBeUndefined()
    expect(decodeConfigBytes(new Uint8Array([0x1f, 0x8b, 1, 2]))).toBeUndefined()
  })
})

describe('mountinfo and cgroups', () => {
  it('parses optional fields and escapes', () => {
    const m = parseMountinfo(
      '30 22 0:26 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n40 22 0:30 / /mnt/a\\040b rw - ext4 /dev/x rw\n',
    )
    expect(m[0]).toMatchObject({ mountPoint: '/sys/fs/cgroup', fsType: 'cgroup2', superOptions: 'rw,nsdelegate' })
    expect(m[1]?.mountPoint).toBe('/mnt/a b')
  })
  it('decides the mode from statfs magic and from mounts', () => {
    expect(cgroupModeFromStatfs(0x63677270, undefined)).toBe('v2')
    expect(cgroupModeFromStatfs(0x01021994, 0x63677270)).toBe('hybrid')
    expect(cgroupModeFromStatfs(0x01021994, undefined)).toBe('v1')
    expect(cgroupModeFromMounts(['cgroup', 'cgroup2'])).toBe('hybrid')
  })
  it('/proc/cgroups and /proc/self/cgroup', () => {
    expect(parseProcCgroups('#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t1\t1\t1\nhugetlb\t0\t1\t1\n')).toEqual([
      { name: 'cpu', hierarchy: 1, enabled: true },
      { name: 'hugetlb', hierarchy: 0, enabled: true },
    ])
    expect(parseSelfCgroup('4:memory:/a\n0::/user.slice\n')[1]).toEqual({ hierarchy: 0, controllers: [], path: '/user.slice' })
  })
})

describe('dmesg', () => {
  it('finds firmware, PVM and IOMMU lines and strips timestamps', () => {
    const f = scanDmesg(
      '[    0.0100] x86/cpu: VMX (outside TXT) disabled by BIOS\n[ 0.3] kvm-pvm: loaded (native=1)\n[0.1] Hypervisor detected: KVM\n[1.0] pvm-pv: not detected, 0/52 sites patched\n',
    )
    expect(f.vmxDisabledByBios).toBe('x86/cpu: VMX (outside TXT) disabled by BIOS')
    expect(f.kvmPvmLoaded).toMatch(/^kvm-pvm: loaded/)
    expect(f.pvmGuest).toBeUndefined()
    expect(scanDmesg('[    0.325827] kvm-pvm: this kernel is itself a kvm-pvm guest; not binding\n').kvmPvmNotBinding).toBe(
      'kvm-pvm: this kernel is itself a kvm-pvm guest; not binding',
    )
    expect(dmesgCapture('hypervisorDetected', f.hypervisorDetected)).toBe('KVM')
  })
})

describe('ACPI', () => {
  it('DMAR flags and IORT SMMU nodes', () => {
    const dmar = acpiTable('DMAR', [46, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    expect(parseAcpiHeader(dmar)?.signature).toBe('DMAR')
    expect(parseDmarFlags(dmar)).toEqual({ intrRemap: true, x2apicOptOut: false, dmaCtrlOptIn: true })
    const iort = acpiTable('IORT', [1, 0, 0, 0, 48, 0, 0, 0, 0, 0, 0, 0, 4, 8, 0, 0, 0, 0, 0, 0])
    expect(parseIortSmmu(iort)).toEqual({ smmuV2: 0, smmuV3: 1, nodes: 1 })
    expect(parseIortSmmu(new Uint8Array(10))).toBeUndefined()
  })
})

describe('MSRs, status, ELF', () => {
  it('IA32_FEATURE_CONTROL and VM_CR', () => {
    expect(decodeFeatureControl(msrValue(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0])) ?? 0n).disabledByFirmware).toBe(true)
    expect(decodeFeatureControl(5n).disabledByFirmware).toBe(false)
    expect(decodeFeatureControl(0n).disabledByFirmware).toBe(false) // unlocked: the kernel enables it
    expect(decodeVmCr(0x10n).svmDisabled).toBe(true)
  })
  it('capabilities', () => {
    const s = parseProcStatus('CapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\nSeccomp:\t2\n')
    expect(hasCap(s.capEff, 21)).toBe(true)
    expect(hasCap(s.capBnd, 24)).toBe(false)
    expect(isFullCapSet(s.capEff)).toBe(true)
    expect(s.seccomp).toBe(2)
  })
  it('static vs dynamic ELF', () => {
    expect(parseElf(elfHeader(62, false))).toEqual({ machine: 'x86_64', static: true })
    expect(parseElf(elfHeader(183, true))).toEqual({ machine: 'aarch64', static: false })
    expect(parseElf(new Uint8Array(64))).toBeUndefined()
  })
})

describe('vcprobe JSON', () => {
  it('decodes raw CPUID bits and the hypervisor signature', () => {
    const d = decodeCpuid(parseCpuidDump(cpuidJson({ vendor: 'GenuineIntel', hypervisor: 'KVMKVMKVM' }))!)
    expect(d).toMatchObject({ vendor: 'GenuineIntel', vmx: false, hypervisorBit: true, hypervisorSignature: 'KVMKVMKVM' })
    const a = decodeCpuid(
      parseCpuidDump(cpuidJson({ vendor: 'AuthenticAMD', svm: true, npt: true, sev: { sme: true, sev: true, es: true, snp: true } }))!,
    )
    expect(a).toMatchObject({ svm: true, npt: true, sevSnp: true, hypervisorSignature: undefined })
  })
  it('decodes the real helper output of this machine', () => {
    const real =
      '{"arch":"x86_64","leaves":{"0x00000000.0":[36,1970169159,1818588270,1231384169],"0x00000001.0":[657009,16910336,4294586883,529267711],"0x40000000.0":[1073741825,1263359563,1447775574,77]}}'
    expect(decodeCpuid(parseCpuidDump(real)!)).toMatchObject({
      vendor: 'GenuineIntel',
      vmx: false,
      hypervisorBit: true,
      hypervisorSignature: 'KVMKVMKVM',
    })
  })
  it('kvm and userns results; garbage is undefined', () => {
    expect(parseKvmProbe('{"open":"EACCES"}')).toEqual({ open: 'EACCES' })
    expect(parseKvmProbe('{"open":"ok","apiVersion":12,"caps":{"IRQCHIP":1},"createVm":"ok","createVcpu":"ok"}')?.apiVersion).toBe(12)
    expect(
      parseUsernsProbe('{"uid":0,"asSelf":{"user":"ok"},"unprivilegedUser":"EPERM","unprivilegedTestedAs":65534}')?.unprivilegedUser,
    ).toBe('EPERM')
    expect(parseCpuidDump('not json')).toBeUndefined()
    expect(parseKvmProbe('[]')).toBeUndefined()
  })
})

describe('dmesg prefilter', () => {
  it('lets through a real line of every fact', async () => {
    const { DMESG_FACTS, FACT_WORDS } = await import('../../src/parse/dmesg.js')
    const samples: Record<keyof typeof DMESG_FACTS, string> = {
      vmxDisabledByBios: 'x86/cpu: VMX (outside TXT) disabled by BIOS',
      svmDisabledByBios: 'kvm_amd: SVM disabled (by BIOS) in MSR_VM_CR on CPU 0',
      noHardwareSupport: 'kvm: no hardware support',
      kvmPvmLoaded: 'kvm-pvm: loaded (native=1 pcid=1)',
      kvmPvmNotBinding: 'kvm-pvm: this kernel is itself a kvm-pvm guest; not binding',
      pvmGuest: 'pvm-pv: detected, 52/52 sites patched',
      armHypAvailable: 'kvm [1]: VHE mode initialized successfully',
      armHypUnavailable: 'CPU: All CPU(s) started at EL1',
      hypervisorDetected: 'Hypervisor detected: KVM',
      bootingOn: 'Booting paravirtualized kernel on KVM',
      dmarEnabled: 'DMAR: IOMMU enabled',
      amdViFound: 'pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40',
      smmuFound: 'arm-smmu-v3 arm-smmu-v3.0.auto: ias 48-bit, oas 48-bit (features 0x00001fef)',
      irqRemapEnabled: 'DMAR-IR: Enabled IRQ remapping in x2apic mode',
      irqRemapDisabled: "x2apic: IRQ remapping doesn't support X2APIC mode",
      sevEnabled: 'kvm_amd: SEV enabled (ASIDs 100 - 509)',
      sevEsEnabled: 'kvm_amd: SEV-ES enabled (ASIDs 1 - 99)',
      snpEnabled: 'kvm_amd: SEV-SNP enabled (ASIDs 1 - 99)',
      memEncryptActive: 'Memory Encryption Features active: AMD SEV SEV-ES SEV-SNP',
      tdxBiosEnabled: 'virt/tdx: BIOS enabled: private KeyID range [16, 64)',
      tdxInitialized: 'virt/tdx: module initialized',
      tdxGuest: 'tdx: Guest detected',
      sriovMmio: 'pci 0000:3b:00.0: not enough MMIO resources for SR-IOV',
    }
    for (const [fact, line] of Object.entries(samples)) {
      expect(DMESG_FACTS[fact as keyof typeof DMESG_FACTS].test(line), `${fact} pattern`).toBe(true)
      expect(FACT_WORDS.test(`[    1.234567] ${line}`), `${fact} prefilter`).toBe(true)
      expect(scanDmesg(`[    0.000000] Linux version 6.1\n[    1.234567] ${line}\n`)[fact as keyof typeof DMESG_FACTS]).toBe(line)
    }
  })
})

describe('kconfig parser', () => {
  it('reads =y/=m/strings and "is not set", ignores everything else', () => {
    const k = parseKconfig(
      '#\n# Automatically generated file; DO NOT EDIT.\nCONFIG_LSM="landlock,lockdown,yama"\nCONFIG_KVM=m\n# CONFIG_QFMT_V2 is not set\n  CONFIG_X=y  \nCONFIG_HZ=250\r\n# comment CONFIG_NOT=y\n',
    )
    expect(Object.fromEntries(k)).toEqual({ LSM: 'landlock,lockdown,yama', KVM: 'm', QFMT_V2: 'n', X: 'y', HZ: '250' })
  })
})
