/**
 * AMD-V without nested paging (an old Opteron, or a hypervisor that hides NPT): kvm_amd still binds
 * and guests run, but KVM shadows every guest page table.
 */
import { exits, finding, readiness, type LabHost } from '../host.js'

export const amdVNoNpt: LabHost = {
  name: 'amd-v-no-npt',
  summary: 'AMD EPYC with AMD-V but NPT hidden (-npt), kvm_amd loaded, cgroup v2',
  cpu: 'EPYC,+svm,-npt',
  cgroup: 'v2',
  modules: ['kvm_amd', 'tun', 'vhost_net'],
  missing: ['NPT (nested paging) in CPUID 0x8000000A'],
  runs: [{ name: 'probe', args: ['probe', '--json'] }],
  timeoutS: 300,
  expect: [
    // The NPT finding fails (a limitation of the hardware), so the probe's exit code is 1.
    exits('probe', 1),
    finding('probe', 'cpu.virt-extensions', { status: 'pass', facts: { extension: 'AMD-V' }, because: '+svm' }),
    finding('probe', 'cpu.slat', {
      status: 'fail',
      facts: { slat: 'none' },
      summary: /without nested paging/,
      because: '-npt hides NPT from CPUID',
    }),
    finding('probe', 'cpu.slat', { summary: /shadow/, because: 'without NPT KVM must shadow guest page tables: that is the cost to name' }),
    finding('probe', 'kvm.module', {
      status: 'pass',
      facts: { module: 'kvm_amd', kind: 'hardware' },
      because: 'kvm_amd binds on SVM without NPT',
    }),
    finding('probe', 'kvm.device', { status: 'pass', facts: { present: true, writable: true }, because: 'kvm_amd creates /dev/kvm' }),
    readiness('probe', 'kvm-virtio', true, 'KVM works with shadow paging, only slower'),
  ],
}
