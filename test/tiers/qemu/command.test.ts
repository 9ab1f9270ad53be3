import { describe, expect, it } from 'vitest'
import { buildGuestCommand, renderArgv } from '../../../src/tiers/qemu/command.js'
import { parseQemuOptions } from '../../../src/tiers/qemu/options.js'
import { DEVICE_PROFILES, forMachine, guestModules } from '../../../src/tiers/qemu/profiles.js'
import { toGuestRequest } from '../../../src/tiers/qemu/guest-request.js'
import { UsageError } from '../../../src/core/errors.js'

const base = {
  name: 'virtcheck-1-tcg-virtio',
  kernelPath: '/k/vmlinux',
  initrdPath: '/c/x.cpio',
  agentSocket: '/tmp/vc-q-x/agent.sock',
  firmware: '/usr/share/qemu/qboot.rom',
  disk: { path: '/scratch/d.raw' },
}
const after = (argv: readonly string[], flag: string) => argv.filter((_, i) => argv[i - 1] === flag)

describe('QEMU command line', () => {
  it('virtio under TCG: virtio-blk + virtio-net on q35, vhost as detected, agent on ttyS1', () => {
    const c = buildGuestCommand({
      ...base,
      accel: 'tcg',
      options: parseQemuOptions('tcg-virtio', 'tcg', undefined),
      devices: DEVICE_PROFILES.virtio,
      net: { tap: 'vctap0', vhost: false, guestCidr: '10.213.0.2/30' },
    })
    expect(c.argv[0]).toBe('qemu-system-x86_64')
    expect(after(c.argv, '-name')).toEqual(['virtcheck-1-tcg-virtio'])
    expect(after(c.argv, '-accel')).toEqual(['tcg'])
    expect(after(c.argv, '-cpu')).toEqual(['qemu64'])
    expect(after(c.argv, '-machine')).toEqual(['q35'])
    expect(after(c.argv, '-serial')).toEqual(['chardev:console0'])
    expect(after(c.argv, '-device')).toEqual([
      'virtio-serial-pci,id=vcser0',
      'virtconsole,chardev=agent0,bus=vcser0.0',
      'virtio-blk-pci,drive=disk0,ioeventfd=off',
      'virtio-net-pci,netdev=net0,mac=52:54:00:76:63:01,ioeventfd=off',
    ])
    expect(after(c.argv, '-drive')[0]).toBe(
      'file=/scratch/d.raw,format=raw,if=none,id=disk0,cache=none,aio=io_uring,werror=report,rerror=report',
    )
    expect(after(c.argv, '-netdev')[0]).toContain('vhost=off')
    expect(c.kernelCmdline).toBe(
      'console=ttyS0 quiet panic=-1 cryptomgr.notests virtcheck.agent=/dev/hvc0 virtcheck.disk=/dev/vda virtcheck.ip=10.213.0.2/30',
    )
    expect(renderArgv(c.argv)).toContain("-append 'console=ttyS0 quiet")
  })

  it('emulated under KVM: e1000 + AHCI disk, -cpu host, options applied', () => {
    const opts = parseQemuOptions('kvm-emulated', 'kvm', {
      smp: '2',
      'memory-mib': '512',
      aio: 'threads',
      append: 'mitigations=off',
      'agent-channel': 'serial',
    })
    const c = buildGuestCommand({
      ...base,
      accel: 'kvm',
      options: opts,
      devices: DEVICE_PROFILES.emulated,
      net: { tap: 't', vhost: true, guestCidr: '10.0.0.2/30' },
    })
    expect(after(c.argv, '-accel')).toEqual(['kvm'])
    expect(after(c.argv, '-cpu')).toEqual(['host'])
    expect(after(c.argv, '-smp')).toEqual(['2'])
    expect(after(c.argv, '-m')).toEqual(['512'])
    expect(after(c.argv, '-serial')).toEqual(['chardev:console0', 'chardev:agent0'])
    expect(after(c.argv, '-device')).toEqual(['ide-hd,drive=disk0,bus=ide.0', 'e1000,netdev=net0,mac=52:54:00:76:63:01'])
    expect(c.kernelCmdline).toContain('virtcheck.agent=/dev/ttyS1')
    expect(after(c.argv, '-netdev')[0]).toContain('vhost=on')
    expect(c.kernelCmdline).toMatch(/virtcheck.disk=\/dev\/sda virtcheck.ip=10.0.0.2\/30 mitigations=off$/)
  })

  it('no network: no NIC at all (not a silent fallback)', () => {
    const c = buildGuestCommand({
      ...base,
      accel: 'tcg',
      options: parseQemuOptions('tcg-virtio', 'tcg', {}),
      devices: DEVICE_PROFILES.virtio,
    })
    expect(c.argv).not.toContain('-netdev')
    expect(c.kernelCmdline).not.toContain('virtcheck.ip=')
  })

  it('picks the guest modules the devices need', () => {
    expect(guestModules(DEVICE_PROFILES.virtio, true)).toEqual(['virtio_pci', 'virtio_blk', 'virtio_net'])
    expect(guestModules(DEVICE_PROFILES.emulated, false)).toEqual(['ahci', 'sd_mod'])
    expect(forMachine(DEVICE_PROFILES.emulated, 'pc').diskModules).toEqual(['ata_piix', 'sd_mod'])
  })
})

describe('QEMU tier options', () => {
  it('picks ioeventfd per accelerator (off under TCG, on under KVM) unless told', () => {
    expect(parseQemuOptions('tcg-virtio', 'tcg', {}).ioeventfd).toBe('off')
    expect(parseQemuOptions('kvm-virtio', 'kvm', {}).ioeventfd).toBe('on')
    expect(parseQemuOptions('tcg-virtio', 'tcg', { ioeventfd: 'on' }).ioeventfd).toBe('on')
    const c = buildGuestCommand({
      ...base,
      accel: 'kvm',
      options: parseQemuOptions('kvm-virtio', 'kvm', {}),
      devices: DEVICE_PROFILES.virtio,
    })
    expect(after(c.argv, '-device')).toContain('virtio-blk-pci,drive=disk0')
  })

  it('rejects unknown keys and bad values as usage errors', () => {
    expect(() => parseQemuOptions('tcg-virtio', 'tcg', { smpp: '2' })).toThrow(UsageError)
    expect(() => parseQemuOptions('tcg-virtio', 'tcg', { smp: '0' })).toThrow(/smp must be a number from 1 to 64/)
    expect(() => parseQemuOptions('tcg-virtio', 'tcg', { machine: 'virt' })).toThrow(/machine must be one of q35, pc/)
    expect(() => parseQemuOptions('tcg-virtio', 'tcg', { append: 'a"b' })).toThrow(UsageError)
  })
})

describe('job requests as the guest sees them', () => {
  it('points IO jobs at the guest disk and net jobs at the peer on the tap link', () => {
    const io = toGuestRequest(
      { job: 'io.seq', reps: 1, params: { targetMs: 200, target: '/host/scratch' } },
      { disk: '/dev/vda', peer: '10.213.0.1:7100' },
    )
    expect(io).toEqual({ kind: 'ok', req: { job: 'io.seq', reps: 1, params: { targetMs: 200, target: '/dev/vda' } } })
    const net = toGuestRequest({ job: 'net.rr', reps: 2, params: { peer: '127.0.0.1:1' } }, { disk: '/dev/vda', peer: '10.213.0.1:7100' })
    expect(net.kind === 'ok' && net.req.params['peer']).toBe('10.213.0.1:7100')
    const refused = toGuestRequest({ job: 'net.stream', reps: 1, params: {} }, { disk: '/dev/vda' })
    expect(refused.kind).toBe('refused')
    expect(toGuestRequest({ job: 'cpu.int', reps: 1, params: { targetMs: 5 } }, {})).toMatchObject({ kind: 'ok' })
  })
})
