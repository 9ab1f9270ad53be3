/**
 * A VM whose hypervisor does not expose AMD-V (the common cloud instance): no kvm_amd, no /dev/kvm,
 * only emulation.
 */
import { exits, finding, readiness, type LabHost } from '../host.js'

export const noVirt: LabHost = {
  name: 'no-virt',
  summary: 'a VM with an AMD EPYC CPU and SVM hidden (-svm): no virtualization extensions, cgroup v2',
  cpu: 'EPYC,-svm',
  cgroup: 'v2',
  modules: ['tun', 'vhost_net'],
  missing: ['SVM in CPUID (so no kvm_amd and no /dev/kvm)'],
  runs: [{ name: 'probe', args: ['probe', '--json'] }],
  timeoutS: 300,
  expect: [
    exits('probe', 1),
    finding('probe', 'environment.vm', { status: 'pass', facts: { role: 'vm' }, because: 'a QEMU guest: CPUID hypervisor bit set' }),
    finding('probe', 'cpu.virt-extensions', {
      status: 'fail',
      facts: { extension: 'none', cause: 'vm-without-nested' },
      because: 'a VM whose CPU model hides SVM: nested virtualization not exposed',
    }),
    finding('probe', 'cpu.slat', { facts: { slat: 'none' }, because: 'no SVM, so no NPT' }),
    finding('probe', 'kvm.device', { status: 'fail', facts: { present: false }, because: 'no KVM module can bind without SVM' }),
    readiness('probe', 'kvm-virtio', false, 'no AMD-V, no /dev/kvm', /AMD-V|svm|nested|\/dev\/kvm/i),
    readiness('probe', 'kvm-emulated', false, 'no AMD-V, no /dev/kvm', /AMD-V|svm|nested|\/dev\/kvm/i),
    readiness('probe', 'tcg-virtio', true, 'TCG needs no extensions'),
  ],
}
