/**
 * A server whose CPU has AMD-V but where kvm_amd and tun were never loaded (a minimal install, or a
 * module blacklist): no /dev/kvm and no /dev/net/tun. Hybrid cgroups, as on older systemd hosts.
 */
import { finding, readiness, type LabHost } from '../host.js'

export const noKvmNoTun: LabHost = {
  name: 'no-kvm-no-tun',
  summary: 'AMD-V + NPT CPU, but kvm_amd and tun not loaded; cgroup v1 hybrid',
  cpu: 'EPYC,+svm,+npt',
  cgroup: 'hybrid',
  modules: ['veth'],
  missing: ['kvm_amd (so no /dev/kvm)', 'tun (so no /dev/net/tun, and no vhost_net)'],
  runs: [{ name: 'probe', args: ['probe', '--json'] }],
  timeoutS: 300,
  expect: [
    finding('probe', 'cpu.virt-extensions', {
      status: 'pass',
      facts: { extension: 'AMD-V' },
      because: 'the CPU has SVM; only the module is missing',
    }),
    finding('probe', 'kvm.device', {
      status: 'fail',
      facts: { present: false },
      fix: /modprobe kvm_amd/,
      because: 'kvm_amd not loaded; loading it is the fix on this host',
    }),
    finding('probe', 'devices.tun', { status: 'fail', facts: { present: false }, fix: /tun/, because: 'tun not loaded' }),
    finding('probe', 'cgroups.mode', {
      status: 'warn',
      facts: { mode: 'hybrid' },
      because: 'v1 hierarchies plus cgroup2 at /sys/fs/cgroup/unified',
    }),
    readiness('probe', 'kvm-virtio', false, 'no /dev/kvm', /\/dev\/kvm/),
    readiness('probe', 'kvm-emulated', false, 'no /dev/kvm', /\/dev\/kvm/),
  ],
}
