/** sriov.devices: every PCI function with `sriov_totalvfs`, its configured VFs and its driver. */
import { evidence, pass, skip, unknown, warn } from '../src/core/finding.js'
import type { Probe } from './types.js'
import { dmesg, statOf, text } from './lib/facts.js'

const head = { id: 'sriov.devices', area: 'sriov', title: 'SR-IOV capable devices' } as const

export const sriovProbe: Probe = {
  id: 'sriov',
  area: 'sriov',
  reads: ['/sys/bus/pci/devices/*/{sriov_totalvfs,sriov_numvfs,driver,class}'],
  async check(host) {
    const l = await host.list('/sys/bus/pci/devices')
    if (l.kind !== 'ok') return [unknown(head, `cannot list PCI devices: ${l.kind}`, [evidence('/sys/bus/pci/devices', l.kind)])]
    const devs = await Promise.all(
      l.entries.map(async (bdf) => {
        const base = `/sys/bus/pci/devices/${bdf}`
        const total = await text(host, `${base}/sriov_totalvfs`)
        if (total === undefined) return undefined
        const [num, drv, cls] = await Promise.all([
          text(host, `${base}/sriov_numvfs`),
          statOf(host, `${base}/driver`),
          text(host, `${base}/class`),
        ])
        const driver = drv.kind === 'ok' && drv.target ? drv.target.split('/').pop() : undefined
        return { bdf, total: Number(total.trim()), num: Number(num?.trim() ?? 0), driver, cls: cls?.trim() }
      }),
    )
    const capable = devs.filter((d): d is NonNullable<typeof d> => d !== undefined && d.total > 0)
    if (capable.length === 0) {
      const dm = await dmesg(host)
      if (dm.kind === 'ok' && dm.value.sriovMmio)
        return [
          warn(head, 'a device wanted SR-IOV but firmware left too little MMIO space', [evidence('kernel log', dm.value.sriovMmio)], {
            summary: 'Enable "SR-IOV Support" and "Above 4G decoding" in the firmware setup, or boot with pci=realloc.',
          }),
        ]
      return [
        skip({ ...head, facts: { capable: 0 } }, `no SR-IOV capable PCI function among ${l.entries.length} devices`, [
          evidence('/sys/bus/pci/devices/*/sriov_totalvfs', 'none'),
        ]),
      ]
    }
    const ev = capable.map((d) => evidence(d.bdf, `class ${d.cls ?? '?'}, driver ${d.driver ?? 'none'}, VFs ${d.num}/${d.total}`))
    const configured = capable.filter((d) => d.num > 0).length
    return [
      pass(
        {
          ...head,
          facts: {
            capable: capable.length,
            configured,
            totalVfs: capable.reduce((n, d) => n + d.total, 0),
            vfs: capable.reduce((n, d) => n + d.num, 0),
          },
        },
        `${capable.length} SR-IOV physical function(s), ${configured} with VFs configured (${capable.reduce((n, d) => n + d.num, 0)} of ${capable.reduce((n, d) => n + d.total, 0)} VFs enabled)`,
        ev,
      ),
    ]
  },
}
