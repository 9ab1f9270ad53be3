import { describe, expect, it } from 'vitest'
import { probeFixture } from './helpers.js'

describe('this host (captured): Firecracker KVM guest with kvm_pvm', () => {
  it('says paravirtual KVM works at the API level but cannot boot standard guests (warn, not pass, not "no VT-x")', async () => {
    const p = await probeFixture('this-host-kvm-pvm')
    const mod = p.finding('kvm.module')
    expect(mod.status).toBe('warn')
    expect(mod.summary).toMatch(
      /paravirtual KVM \(PVM\) present, API works \(version 12, CREATE_VM ok\), but standard guest kernels cannot boot/,
    )
    expect(mod.remediation?.summary).toMatch(/CONFIG_PVM_GUEST/)
    expect(p.status('kvm.api')).toBe('pass')
    expect(p.status('kvm.device')).toBe('pass')
    expect(p.status('cpu.virt-extensions')).toBe('warn')
    expect(p.finding('cpu.virt-extensions').summary).toMatch(/PVM/)
    expect(p.status('cpu.slat')).toBe('skip')
    expect(p.finding('environment.vm').facts?.['vendor']).toBe('kvm')
    expect(p.status('environment.container')).toBe('pass') // /.dockerenv leaked from the image, nothing else says container
    expect(p.status('cgroups.mode')).toBe('warn')
    expect(p.finding('cgroups.mode').facts?.['mode']).toBe('hybrid')
    expect(p.status('devices.vhost-net')).toBe('warn')
    expect(p.ready('kvm-virtio')).toBe(false)
    expect(p.ready('kvm-emulated')).toBe(false)
    expect(p.blockers('kvm-virtio')).toContain('kvm.module')
    expect(p.blockers('kvm-virtio')).not.toContain('cpu.virt-extensions')
    expect(p.ready('docker')).toBe(false)
    expect(p.ready('native')).toBe(true)
    expect(p.ready('container')).toBe(true)
    expect(p.findings.some((f) => f.status === 'fail')).toBe(false)
  })
})

describe('this host later (captured 2026-11-27): a PVM guest whose built-in kvm_pvm did not bind', () => {
  it('says there is no /dev/kvm because the kernel is itself a PVM guest (kernel log), not "load the module"', async () => {
    const p = await probeFixture('this-host-pvm-guest-no-kvm')
    const dev = p.finding('kvm.device')
    expect(dev.status).toBe('fail')
    expect(dev.summary).toMatch(/this kernel is itself a PVM guest/)
    expect(dev.evidence.map((e) => e.observed).join('\n')).toMatch(/kvm-pvm: this kernel is itself a kvm-pvm guest; not binding/)
    expect(dev.remediation?.summary).toMatch(/PVM does not nest/)
    expect(dev.remediation?.commands ?? []).toEqual([]) // no modprobe: nothing in this VM can fix it
    const mod = p.finding('kvm.module')
    expect(mod.status).toBe('fail')
    expect(mod.facts).toMatchObject({ module: 'kvm_pvm', bound: false })
    expect(p.status('kvm.api')).toBe('skip')
    expect(p.ready('kvm-virtio')).toBe(false)
    expect(p.blockers('kvm-virtio')).toEqual(expect.arrayContaining(['kvm.device', 'kvm.module']))
    expect(p.ready('native')).toBe(true)
    expect(p.ready('container')).toBe(true)
    expect(p.ready('tcg-virtio')).toBe(true)
    // the kernel says PVM; the CPUID signature it shows is bhyve's, padded to 12 bytes
    expect(p.finding('environment.vm').facts?.['vendor']).toBe('pvm (CPUID signature: bhyve)')
  })
})

describe('hand-built fixtures', () => {
  it('Intel bare metal: VT-x + EPT + VT-d with interrupt remapping + SR-IOV', async () => {
    const p = await probeFixture('intel-baremetal-vtx-ept-vtd-sriov')
    for (const id of [
      'cpu.virt-extensions',
      'cpu.slat',
      'kvm.device',
      'kvm.module',
      'kvm.api',
      'kvm.nested',
      'iommu.firmware',
      'iommu.kernel',
      'iommu.interrupt-remapping',
      'sriov.devices',
      'devices.vhost-net',
    ])
      expect(p.status(id), id).toBe('pass')
    expect(p.finding('sriov.devices').facts).toMatchObject({ capable: 2, configured: 1, totalVfs: 256 })
    expect(p.finding('iommu.groups').facts).toMatchObject({ groups: 5, sharedGroups: 1 })
    expect(p.finding('environment.vm').facts?.['role']).toBe('bare-metal')
    expect(p.ready('kvm-virtio')).toBe(true)
    expect(p.ready('kvm-emulated')).toBe(true)
    expect(p.ready('tcg-virtio')).toBe(true)
  })

  it('AMD EPYC: SVM + NPT + AMD-Vi + SEV-SNP', async () => {
    const p = await probeFixture('amd-epyc-svm-npt-amdvi-sevsnp')
    expect(p.status('cpu.virt-extensions')).toBe('pass')
    expect(p.finding('cpu.slat').facts?.['slat']).toBe('npt')
    expect(p.finding('iommu.firmware').summary).toMatch(/AMD-Vi/)
    const sev = p.finding('confidential.amd-sev')
    expect(sev.status).toBe('pass')
    expect(sev.summary).toMatch(/SEV-SNP/)
    expect(p.status('confidential.intel-tdx')).toBe('skip')
    expect(p.ready('kvm-virtio')).toBe(true)
  })

  it('Intel laptop: VT-x disabled in firmware is told apart from "absent"', async () => {
    const p = await probeFixture('intel-laptop-vtx-disabled-in-firmware')
    const cpu = p.finding('cpu.virt-extensions')
    expect(cpu.status).toBe('fail')
    expect(cpu.facts?.['cause']).toBe('disabled-by-firmware')
    expect(cpu.evidence.map((e) => e.observed).join(' ')).toMatch(/VMX \(outside TXT\) disabled by BIOS/)
    expect(cpu.evidence.map((e) => e.observed).join(' ')).toMatch(/lock=1 vmx_outside_smx=0/)
    expect(cpu.remediation?.summary).toMatch(/firmware setup/)
    expect(p.status('kvm.device')).toBe('fail')
    // The IOMMU vendor comes from the DMAR table, not from the (hidden) vmx flag.
    expect(p.finding('iommu.firmware').summary).toMatch(/VT-d/)
    expect(p.blockers('kvm-virtio')[0]).toBe('cpu.virt-extensions')
    expect(p.ready('tcg-emulated')).toBe(true)
  })

  it('cloud VM without nested virtualization', async () => {
    const p = await probeFixture('cloud-vm-no-nested')
    expect(p.finding('environment.vm').facts).toMatchObject({ role: 'vm', vendor: 'kvm' })
    const cpu = p.finding('cpu.virt-extensions')
    expect(cpu.status).toBe('fail')
    expect(cpu.facts?.['cause']).toBe('vm-without-nested')
    expect(cpu.remediation?.summary).toMatch(/nested/)
    expect(p.status('iommu.firmware')).toBe('warn')
    expect(p.ready('kvm-virtio')).toBe(false)
    expect(p.ready('tcg-virtio')).toBe(true)
    expect(p.ready('emu-aarch64')).toBe(false)
  })

  it('Docker container: detected, namespaces not creatable, cgroups read-only', async () => {
    const p = await probeFixture('docker-container')
    expect(p.status('environment.container')).toBe('warn')
    expect(p.finding('environment.container').facts).toMatchObject({ container: 'docker', privileged: false })
    expect(p.status('namespaces.types')).toBe('fail')
    expect(p.status('cgroups.delegation')).toBe('fail')
    expect(p.status('cpu.virt-extensions')).toBe('pass')
    expect(p.status('kvm.device')).toBe('fail')
    expect(p.ready('container')).toBe(false)
    expect(p.blockers('container')).toContain('namespaces.types')
    expect(p.ready('native')).toBe(true)
  })

  it('arm64 KVM host: EL2 from the kernel log, SMMUv3 from the IORT, no CPUID', async () => {
    const p = await probeFixture('arm64-kvm-host')
    expect(p.status('cpu.virt-extensions')).toBe('pass')
    expect(p.finding('kvm.module').facts?.['module']).toBe('arm64')
    expect(p.finding('iommu.firmware').facts?.['smmu']).toBe(1)
    expect(p.status('confidential.host')).toBe('skip')
    expect(p.findings.every((f) => f.bug === undefined)).toBe(true)
    expect(p.ready('kvm-virtio')).toBe(true)
  })

  it('rootless desktop on cgroup v2: kvm group fix, delegation, unknown (needs root) instead of false fails', async () => {
    const p = await probeFixture('rootless-desktop-cgroup2')
    const dev = p.finding('kvm.device')
    expect(dev.status).toBe('fail')
    expect(dev.remediation?.commands?.[0]).toMatch(/usermod -aG kvm/)
    expect(p.status('cgroups.mode')).toBe('pass')
    expect(p.status('cgroups.delegation')).toBe('pass')
    expect(p.status('namespaces.userns-unprivileged')).toBe('pass')
    expect(p.status('namespaces.subid')).toBe('pass')
    expect(p.finding('iommu.interrupt-remapping').summary).toMatch(/unknown \(needs root\)/)
    expect(p.status('iommu.interrupt-remapping')).toBe('unknown')
    expect(p.status('confidential.intel-tdx')).toBe('unknown')
    expect(p.status('cpu.virt-extensions')).toBe('pass')
    expect(p.ready('kvm-virtio')).toBe(false)
    expect(p.ready('container')).toBe(true)
  })
})
