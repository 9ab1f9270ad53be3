/**
 * IOMMU (VT-d / AMD-Vi / Arm SMMU / virtio-iommu): firmware table, kernel enablement, interrupt
 * remapping and group isolation. The vendor comes from the tables themselves, never from CPU flags
 * (virt-host-validate's mistake when VT-x is disabled in firmware).
 */
import { evidence, pass, skip, unknown, warn, type Evidence, type Finding } from '../src/core/finding.js'
import type { Host } from '../src/core/host.js'
import { parseDmarFlags, parseIortSmmu } from '../src/parse/acpi.js'
import type { Probe } from './types.js'
import { kconfigEnabled } from '../src/parse/kconfig.js'
import { cmdline, cpuid, dmesg, kconfig, memo } from './lib/facts.js'

const IOMMU_DRIVERS = ['INTEL_IOMMU', 'AMD_IOMMU', 'VIRTIO_IOMMU', 'ARM_SMMU', 'ARM_SMMU_V3'] as const

/**
 * The fix for "no IOMMU" that can work on this host: firmware settings on bare metal, a virtual IOMMU
 * for a VM, and in both cases only with a kernel that has an IOMMU driver and VFIO.
 */
const noIommuFix = async (host: Host): Promise<{ summary: string; ev: Evidence[] }> => {
  const [cfg, raw] = await Promise.all([kconfig(host), cpuid(host)])
  const inVm = raw.kind === 'ok' && raw.value.hypervisorBit
  const where = inVm
    ? 'this host is a VM: its hypervisor must give it a virtual IOMMU (QEMU -device intel-iommu or virtio-iommu)'
    : 'enable VT-d / AMD IOMMU ("SVM/IOMMU", "DMA remapping") in the firmware setup'
  if (cfg.kind !== 'ok') return { summary: `To pass devices to guests, ${where}. Not needed unless you pass devices to guests.`, ev: [] }
  const drivers = IOMMU_DRIVERS.filter((d) => kconfigEnabled(cfg.value, d) === true)
  const vfio = kconfigEnabled(cfg.value, 'VFIO') === true
  const ev = [
    evidence(
      cfg.source,
      `${IOMMU_DRIVERS.map((d) => `${d}=${cfg.value.get(d) ?? 'not set'}`).join(' ')} VFIO=${cfg.value.get('VFIO') ?? 'not set'}`,
    ),
  ]
  if (drivers.length === 0 || !vfio) {
    const lacks = [
      ...(drivers.length === 0 ? ['an IOMMU driver (CONFIG_INTEL_IOMMU / AMD_IOMMU / VIRTIO_IOMMU / ARM_SMMU_V3)'] : []),
      ...(vfio ? [] : ['VFIO (CONFIG_VFIO)']),
    ].join(' and ')
    return {
      summary: `This kernel was built without ${lacks}: device passthrough needs a different kernel${inVm ? ', and a virtual IOMMU from the hypervisor' : ' (and the IOMMU enabled in the firmware)'}. Not needed unless you pass devices to guests.`,
      ev,
    }
  }
  return { summary: `To pass devices to guests, ${where}. Not needed unless you pass devices to guests.`, ev }
}

const TABLES = { DMAR: 'Intel VT-d', IVRS: 'AMD-Vi', IORT: 'Arm IORT (SMMU)', VIOT: 'virtio-iommu' } as const
type Table = keyof typeof TABLES

const tables = (host: Host) =>
  memo(host, 'acpi-tables', async () => {
    const l = await host.list('/sys/firmware/acpi/tables')
    return l.kind === 'ok'
      ? { kind: 'ok' as const, present: (Object.keys(TABLES) as Table[]).filter((t) => l.entries.includes(t)), all: l.entries }
      : { kind: 'failed' as const, why: l.kind }
  })

const groups = (host: Host) =>
  memo(host, 'iommu-groups', async () => {
    const l = await host.list('/sys/kernel/iommu_groups')
    if (l.kind !== 'ok') return undefined
    const sizes = await Promise.all(
      l.entries.map(async (g) => {
        const d = await host.list(`/sys/kernel/iommu_groups/${g}/devices`)
        return { group: g, devices: d.kind === 'ok' ? d.entries : [] }
      }),
    )
    return sizes
  })

const firmwareFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'iommu.firmware', area: 'iommu', title: 'IOMMU described by firmware (ACPI DMAR / IVRS / IORT / VIOT)' } as const
  const t = await tables(host)
  if (t.kind !== 'ok') {
    const dt = await host.list('/proc/device-tree')
    if (dt.kind === 'ok')
      return unknown({ ...head, facts: { table: null } }, 'no ACPI tables (device-tree platform): SMMU presence is shown by iommu.kernel', [
        evidence('/sys/firmware/acpi/tables', t.why),
      ])
    return unknown({ ...head, facts: { table: null } }, `cannot list ACPI tables: ${t.why}`, [evidence('/sys/firmware/acpi/tables', t.why)])
  }
  if (t.present.length === 0) {
    const fix = await noIommuFix(host)
    return warn(
      { ...head, facts: { table: null } },
      'no IOMMU table in the ACPI tables: device passthrough (VFIO, SR-IOV VFs to guests) is impossible',
      [evidence('/sys/firmware/acpi/tables', t.all.join(' ') || 'empty'), ...fix.ev],
      { summary: fix.summary },
    )
  }
  const ev: Evidence[] = [evidence('/sys/firmware/acpi/tables', t.present.map((x) => `${x} (${TABLES[x]})`).join(', '))]
  const facts: Record<string, string | number | boolean | null> = { table: t.present.join(',') }
  if (t.present.includes('IORT')) {
    const b = await host.readBytes('/sys/firmware/acpi/tables/IORT', 0, 65536)
    if (b.kind === 'ok') {
      const iort = parseIortSmmu(b.bytes)
      if (iort) {
        ev.push(evidence('IORT nodes', `${iort.nodes} nodes, ${iort.smmuV3} SMMUv3, ${iort.smmuV2} SMMUv1/v2`))
        facts['smmu'] = iort.smmuV3 + iort.smmuV2
        if (iort.smmuV2 + iort.smmuV3 === 0)
          return warn({ ...head, facts }, 'IORT present but it describes no SMMU: no IOMMU for device passthrough', ev, {
            summary: 'This platform has no SMMU; device passthrough is not possible.',
          })
      } else ev.push(evidence('IORT', 'could not be parsed'))
    } else ev.push(evidence('IORT contents', b.kind === 'denied' ? 'unknown (needs root)' : b.kind))
  }
  return pass({ ...head, facts }, `present: ${t.present.map((x) => TABLES[x]).join(', ')}`, ev)
}

const kernelFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'iommu.kernel', area: 'iommu', title: 'IOMMU enabled by the kernel' } as const
  const [cls, g, cl, dm, t] = await Promise.all([host.list('/sys/class/iommu'), groups(host), cmdline(host), dmesg(host), tables(host)])
  const units = cls.kind === 'ok' ? cls.entries : []
  const ev: Evidence[] = [
    evidence('/sys/class/iommu', cls.kind === 'ok' ? units.join(' ') || 'empty' : cls.kind),
    evidence('/sys/kernel/iommu_groups', g ? `${g.length} groups` : 'missing'),
  ]
  const args = ['intel_iommu', 'amd_iommu', 'iommu', 'iommu.passthrough', 'iommu.strict']
    .filter((k) => cl.has(k))
    .map((k) => `${k}=${cl.get(k)}`)
  if (args.length) ev.push(evidence('/proc/cmdline', args.join(' ')))
  // Only messages an enabled IOMMU prints; "iommu: Default domain type: Translated" is printed by every
  // kernel with IOMMU support, with or without IOMMU hardware, so it proves nothing.
  if (dm.kind === 'ok' && dm.value.dmarEnabled) ev.push(evidence('kernel log', dm.value.dmarEnabled))
  const passthrough = cl.get('iommu') === 'pt' || cl.get('iommu.passthrough') === '1'
  const facts = { units: units.length, groups: g?.length ?? 0, passthrough }
  if (units.length > 0 || (g?.length ?? 0) > 0) {
    return pass(
      { ...head, facts },
      `enabled: ${units.length} IOMMU unit(s), ${g?.length ?? 0} groups${passthrough ? ' (iommu=pt: host DMA untranslated, VFIO still isolates)' : ''}`,
      ev,
    )
  }
  const fwTable = t.kind === 'ok' ? t.present.filter((x) => x !== 'VIOT')[0] : undefined
  if (!fwTable) return skip({ ...head, facts }, 'no IOMMU hardware described (see iommu.firmware)', ev)
  const off = cl.get('intel_iommu') === 'off' || cl.get('amd_iommu') === 'off' || cl.get('iommu') === 'off'
  return warn(
    { ...head, facts },
    `firmware describes ${fwTable} but the kernel did not enable it${off ? ' (disabled on the command line)' : ''}`,
    ev,
    {
      summary:
        fwTable === 'DMAR'
          ? 'Add intel_iommu=on to the kernel command line and reboot.'
          : fwTable === 'IVRS'
            ? 'Remove amd_iommu=off (AMD enables it by default; "amd_iommu=on" is not a valid value) and reboot.'
            : 'Enable the SMMU driver (CONFIG_ARM_SMMU_V3) and reboot.',
      commands: fwTable === 'DMAR' ? ['# /etc/default/grub: GRUB_CMDLINE_LINUX="... intel_iommu=on"', 'update-grub && reboot'] : [],
    },
  )
}

const irqRemapFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'iommu.interrupt-remapping', area: 'iommu', title: 'IOMMU interrupt remapping' } as const
  const [t, dm] = await Promise.all([tables(host), dmesg(host)])
  if (t.kind !== 'ok' || t.present.filter((x) => x !== 'VIOT').length === 0) return skip(head, 'no IOMMU (see iommu.firmware)')
  const ev: Evidence[] = []
  let fwSays: boolean | undefined
  if (t.present.includes('DMAR')) {
    const b = await host.readBytes('/sys/firmware/acpi/tables/DMAR', 0, 48)
    const f = b.kind === 'ok' ? parseDmarFlags(b.bytes) : undefined
    if (f) {
      fwSays = f.intrRemap
      ev.push(
        evidence(
          'DMAR flags',
          `INTR_REMAP=${f.intrRemap ? 1 : 0} X2APIC_OPT_OUT=${f.x2apicOptOut ? 1 : 0} DMA_CTRL_PLATFORM_OPT_IN=${f.dmaCtrlOptIn ? 1 : 0}`,
        ),
      )
    } else ev.push(evidence('DMAR contents', b.kind === 'denied' ? 'unknown (needs root)' : b.kind === 'ok' ? 'unparsable' : b.kind))
  }
  if (dm.kind === 'ok')
    ev.push(evidence('kernel log', dm.value.irqRemapEnabled ?? dm.value.irqRemapDisabled ?? 'no interrupt remapping message'))
  else ev.push(evidence('kernel log', dm.why))
  if (dm.kind === 'ok' && dm.value.irqRemapEnabled)
    return pass({ ...head, facts: { irqRemap: true } }, 'enabled (safe VFIO passthrough without allow_unsafe_interrupts)', ev)
  if ((dm.kind === 'ok' && dm.value.irqRemapDisabled) || fwSays === false)
    return warn(
      { ...head, facts: { irqRemap: false } },
      'not enabled: VFIO passthrough needs vfio_iommu_type1.allow_unsafe_interrupts=1 (unsafe)',
      ev,
      {
        summary: 'Enable interrupt remapping in the firmware (often part of the VT-d/IOMMU option) and do not boot with intremap=off.',
      },
    )
  return unknown(
    { ...head, facts: { irqRemap: null } },
    host.identity.uid === 0 ? 'no evidence either way' : 'unknown (needs root): the kernel log and DMAR flags are root-only here',
    ev,
  )
}

const groupsFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'iommu.groups', area: 'iommu', title: 'IOMMU group isolation' } as const
  const g = await groups(host)
  if (!g || g.length === 0) return skip(head, 'no IOMMU groups')
  const shared = g.filter((x) => x.devices.length > 1)
  const max = Math.max(...g.map((x) => x.devices.length))
  const ev = [
    evidence(
      '/sys/kernel/iommu_groups/*/devices',
      `${g.length} groups, ${g.reduce((n, x) => n + x.devices.length, 0)} devices, ${shared.length} groups with >1 device (largest: ${max})`,
    ),
  ]
  for (const s of shared.slice(0, 3)) ev.push(evidence(`group ${s.group}`, s.devices.join(' ')))
  const facts = { groups: g.length, sharedGroups: shared.length, largestGroup: max }
  if (shared.length === 0)
    return pass({ ...head, facts }, `every device has its own group (${g.length} groups): any one can be passed through alone`, ev)
  return pass(
    { ...head, facts },
    `${g.length} groups, ${shared.length} shared by several devices (those devices can only be passed through together)`,
    ev,
  )
}

export const iommuProbe: Probe = {
  id: 'iommu',
  area: 'iommu',
  reads: [
    '/sys/firmware/acpi/tables',
    '/sys/firmware/acpi/tables/{DMAR,IORT}',
    '/sys/class/iommu',
    '/sys/kernel/iommu_groups/*/devices',
    '/proc/cmdline',
  ],
  runs: [['dmesg']],
  async check(host) {
    return Promise.all([firmwareFinding(host), kernelFinding(host), irqRemapFinding(host), groupsFinding(host)])
  },
}
