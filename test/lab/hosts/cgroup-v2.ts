/**
 * A pure cgroup v2 server, probed as root and as an unprivileged user (nobody, uid 65534) that has no
 * delegated cgroup subtree and is in no kvm group.
 */
import { exits, finding, readiness, type LabHost } from '../host.js'

export const cgroupV2: LabHost = {
  name: 'cgroup-v2',
  summary: 'AMD-V + NPT server with only cgroup v2 mounted (nsdelegate), probed as root and as nobody',
  cpu: 'EPYC,+svm,+npt',
  cgroup: 'v2',
  modules: ['kvm_amd', 'tun', 'vhost_net', 'veth'],
  runs: [
    { name: 'probe', args: ['probe', '--json'] },
    { name: 'probe-user', args: ['probe', '--json'], user: 'nobody' },
  ],
  timeoutS: 360,
  expect: [
    exits('probe', 0),
    finding('probe', 'cgroups.mode', { status: 'pass', facts: { mode: 'v2' }, because: 'only cgroup2 is mounted at /sys/fs/cgroup' }),
    finding('probe', 'cgroups.controllers', {
      status: 'pass',
      summary: /cpu.*io.*memory.*pids/,
      because: 'the 6.1 kernel enables cpu, io, memory, pids in the v2 root',
    }),
    finding('probe', 'cgroups.delegation', { status: 'pass', facts: { writable: true }, because: 'root with a read-write cgroup2 mount' }),
    readiness('probe', 'container', true, 'root, namespaces and v2 controllers'),
    finding('probe-user', 'environment.privileges', { facts: { uid: 65534 }, because: 'run as nobody' }),
    finding('probe-user', 'cgroups.mode', { status: 'pass', facts: { mode: 'v2' }, because: 'the mode does not depend on who asks' }),
    finding('probe-user', 'cgroups.delegation', {
      status: 'warn',
      facts: { writable: false },
      because: 'nobody owns no cgroup subtree (no systemd user slice delegated)',
    }),
    finding('probe-user', 'kvm.device', {
      status: 'fail',
      facts: { present: true, writable: false },
      because: 'devtmpfs creates /dev/kvm as 0600 root:root (no udev rule gives a kvm group)',
    }),
    readiness('probe-user', 'kvm-virtio', false, '/dev/kvm is not writable for nobody'),
    // The builtin container tier runs rootless in a user namespace (limits would need a delegated subtree).
    finding('probe-user', 'namespaces.userns-unprivileged', {
      status: 'pass',
      facts: { allowed: true },
      because: "Debian's kernel allows unprivileged user namespaces by default",
    }),
    readiness('probe-user', 'container', true, 'rootless: unprivileged user namespaces are allowed (no limits without delegation)'),
  ],
}
