/**
 * A passthrough server: Intel IOMMU (DMAR) with interrupt remapping and an SR-IOV capable NVMe
 * controller (4 VFs possible, 2 created at boot). The CPU is AMD (TCG emulates SVM but not VMX) so
 * KVM works too; an AMD CPU with an Intel IOMMU does not exist in shops, but each half is QEMU's
 * faithful device model and the probe reads them independently.
 */
import { exits, finding, type LabHost } from '../host.js'

/** Create 2 VFs without binding a driver to them (the emulated VFs have no queues until configured). */
const CREATE_VFS = [
  'for f in /sys/bus/pci/devices/*/sriov_totalvfs; do d=${f%/sriov_totalvfs}; echo 0 > $d/sriov_drivers_autoprobe; echo 2 > $d/sriov_numvfs || echo "LAB: sriov_numvfs failed on $d"; done',
]

export const iommuSriov: LabHost = {
  name: 'iommu-sriov',
  summary: 'q35 with intel-iommu (intremap=on, kernel intel_iommu=on) and an SR-IOV NVMe (sriov_max_vfs=4, 2 VFs created)',
  cpu: 'EPYC,+svm,+npt',
  machine: 'q35,kernel-irqchip=split',
  devices: [
    '-device',
    'intel-iommu,intremap=on',
    '-device',
    'nvme-subsys,id=subsys0',
    '-device',
    'nvme,serial=vc1,subsys=subsys0,sriov_max_vfs=4,sriov_vq_flexible=8,sriov_vi_flexible=4,msix_qsize=16,max_ioqpairs=10',
  ],
  append: ['intel_iommu=on'],
  cgroup: 'v2',
  modules: ['kvm_amd', 'tun', 'vhost_net', 'nvme', 'vfio_pci', 'vfio_iommu_type1'],
  setup: CREATE_VFS,
  runs: [{ name: 'probe', args: ['probe', '--json'] }],
  timeoutS: 300,
  expect: [
    exits('probe', 0),
    finding('probe', 'iommu.firmware', {
      status: 'pass',
      facts: { table: 'DMAR' },
      because: '-device intel-iommu adds an ACPI DMAR table',
    }),
    finding('probe', 'iommu.kernel', {
      status: 'pass',
      facts: { units: 1, passthrough: false },
      because: 'intel_iommu=on enables the one DMAR unit (dmar0), translated mode',
    }),
    {
      kind: 'custom',
      run: 'probe',
      what: 'IOMMU groups exist (one per PCI function at least for the NVMe PF)',
      check: (out) => {
        const f = (out.json as { findings?: { id: string; facts?: { groups?: number } }[] } | undefined)?.findings?.find(
          (x) => x.id === 'iommu.kernel',
        )
        return (f?.facts?.groups ?? 0) >= 3
          ? undefined
          : `groups = ${f?.facts?.groups ?? 'absent'}, expected >= 3 (host bridge, ISA/LPC + SMBus, NVMe PF, VFs)`
      },
    },
    finding('probe', 'iommu.interrupt-remapping', {
      status: 'pass',
      facts: { irqRemap: true },
      because: 'intel-iommu,intremap=on with kernel-irqchip=split',
    }),
    finding('probe', 'iommu.groups', { status: 'pass', because: 'groups exist' }),
    finding('probe', 'sriov.devices', {
      status: 'pass',
      facts: { capable: 1, totalVfs: 4, configured: 1, vfs: 2 },
      because: 'one NVMe PF with sriov_max_vfs=4, and setup enabled 2 of its VFs (configured counts PFs with VFs)',
    }),
  ],
}
