import { describe, expect, it } from 'vitest'
import { groupedLoadOrder, moduleClosure, moduleName, parseModulesDep, stripModuleSignature } from '../../src/guest/modules.js'

// Shape of the real Debian 6.1 modules.dep lines for these drivers.
const DEP = `kernel/drivers/virtio/virtio.ko:
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/virtio/virtio_pci_legacy_dev.ko:
kernel/drivers/virtio/virtio_pci_modern_dev.ko:
kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/net/core/failover.ko:
kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/lib/crc-t10dif.ko.xz: kernel/crypto/crct10dif_common.ko.xz
kernel/crypto/crct10dif_common.ko.xz:
kernel/drivers/net/ethernet/intel/e1000/e1000.ko:
`

describe('module closure', () => {
  const dep = parseModulesDep(DEP)
  it('names modules the way the kernel does', () => {
    expect(moduleName('kernel/lib/crc-t10dif.ko.xz')).toBe('crc_t10dif')
    expect(moduleName('kernel/drivers/net/virtio_net.ko')).toBe('virtio_net')
  })

  it('orders dependencies before their users, each module once', () => {
    const r = moduleClosure(dep, ['virtio_pci', 'virtio_blk', 'virtio_net'])
    expect(r.kind).toBe('ok')
    const order = r.kind === 'ok' ? r.order.map(moduleName) : []
    expect(new Set(order).size).toBe(order.length)
    expect(order).toHaveLength(9)
    const before = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b))
    before('virtio', 'virtio_pci')
    before('virtio_ring', 'virtio_blk')
    before('failover', 'net_failover')
    before('net_failover', 'virtio_net')
    expect(order.at(-1)).toBe('virtio_net')
  })

  it('accepts dashes for underscores and reports what is missing', () => {
    expect(moduleClosure(dep, ['crc-t10dif'])).toEqual({
      kind: 'ok',
      order: ['kernel/crypto/crct10dif_common.ko.xz', 'kernel/lib/crc-t10dif.ko.xz'],
    })
    expect(moduleClosure(dep, ['e1000', 'ahci'])).toEqual({ kind: 'missing', names: ['ahci'] })
  })

  it('splits independent devices into parallel groups after their shared dependencies', () => {
    const r = groupedLoadOrder(dep, [
      ['virtio_pci', 'virtio_blk'],
      ['virtio_pci', 'virtio_net'],
    ])
    expect(r.kind).toBe('ok')
    if (r.kind !== 'ok') return
    expect(r.order.common.map(moduleName)).toEqual([
      'virtio_pci_legacy_dev',
      'virtio_pci_modern_dev',
      'virtio',
      'virtio_ring',
      'virtio_pci',
    ])
    expect(r.order.groups.map((g) => g.map(moduleName))).toEqual([['virtio_blk'], ['failover', 'net_failover', 'virtio_net']])
    const e = groupedLoadOrder(dep, [['crc-t10dif'], ['e1000']])
    expect(e.kind === 'ok' && e.order.common).toEqual([])
    expect(groupedLoadOrder(dep, [['ahci']])).toEqual({ kind: 'missing', names: ['ahci'] })
  })

  it('strips an appended module signature, and leaves unsigned modules alone', () => {
    const body = Buffer.from('\x7fELF module body')
    const sig = Buffer.alloc(5, 0xaa)
    const info = Buffer.alloc(12)
    info.writeUInt32BE(sig.length, 8)
    const signed = Buffer.concat([body, sig, info, Buffer.from('~Module signature appended~\n')])
    expect(Buffer.from(stripModuleSignature(signed)).equals(body)).toBe(true)
    expect(stripModuleSignature(body)).toBe(body)
  })
})
