/**
 * AMD EPYC with AMD-V and nested paging, kvm_amd loaded: a typical KVM server. QEMU's TCG emulates
 * SVM with NPT, so kvm_amd binds and the KVM tiers boot real guests (L2) one level down: `probe
 * --deep` proves both KVM tiers, and the quick bench runs all 13 jobs in both.
 */
import { everyJobMeasured, kvmConfigRecorded, LEFTOVERS_SHELL, nothingLeft, ranInterleaved, saysEmulationSpeed } from '../bench-checks.js'
import { exits, finding, readiness, type Expectation, type LabHost, type LabRun } from '../host.js'
import { JOB_IDS } from '../../../src/core/workload.js'

/** Every job of the catalog: the quick bench runs them all in both KVM tiers. */
export const ALL_JOBS = JOB_IDS
const KVM_TIERS = ['kvm-virtio', 'kvm-emulated'] as const

/** What a probe must say on this hardware. */
export const amdVNptProbeExpectations: readonly Expectation[] = [
  exits('probe', 0),
  finding('probe', 'cpu.virt-extensions', { status: 'pass', facts: { extension: 'AMD-V' }, because: '-cpu EPYC,+svm exposes SVM' }),
  finding('probe', 'cpu.slat', {
    status: 'pass',
    facts: { slat: 'npt', kvmUsesSlat: true },
    because: '+npt, and kvm_amd uses it by default',
  }),
  finding('probe', 'kvm.device', {
    status: 'pass',
    facts: { present: true, writable: true },
    because: 'kvm_amd creates /dev/kvm, root opens it',
  }),
  finding('probe', 'kvm.module', {
    status: 'pass',
    facts: { module: 'kvm_amd', kind: 'hardware' },
    because: 'kvm_amd is loaded on SVM hardware',
  }),
  finding('probe', 'kvm.api', {
    status: 'pass',
    facts: { apiVersion: 12, createVm: 'ok' },
    because: 'a working kvm_amd answers the stable API',
  }),
  finding('probe', 'kvm.nested', { status: 'pass', facts: { nested: true }, because: 'kvm_amd enables nested SVM by default (nested=1)' }),
  finding('probe', 'devices.vhost-net', { status: 'pass', facts: { present: true, usable: true }, because: 'vhost_net is loaded' }),
  finding('probe', 'environment.container', { facts: { role: 'host' }, because: 'the lab host is a plain server, not a container' }),
  readiness('probe', 'kvm-virtio', true, 'hardware KVM with a guest kernel and QEMU'),
  readiness('probe', 'kvm-emulated', true, 'hardware KVM with a guest kernel and QEMU'),
]

/**
 * Quick mode with 2 fixed repetitions per job (the lab checks behaviour, not figures) and a run budget
 * for a host this slow: quick's 240 s budget is meant for real hardware, and a job started after it
 * is reported as not run.
 */
const bench = (name: string, tiers: readonly string[], jobs: readonly string[] | undefined): LabRun => ({
  name,
  args: [
    'bench',
    '--quick',
    '--tiers',
    tiers.join(','),
    ...(jobs ? ['--jobs', jobs.join(',')] : []),
    '--reps',
    '2',
    '--time-budget',
    '1200',
    '--json',
    '{json}',
  ],
})

export const amdVNpt: LabHost = {
  name: 'amd-v-npt',
  summary: 'AMD EPYC with AMD-V + NPT, kvm_amd loaded, tun and vhost_net, cgroup v2',
  cpu: 'EPYC,+svm,+npt',
  cgroup: 'v2',
  modules: ['kvm_amd', 'tun', 'vhost_net', 'veth'],
  scratchDiskMib: 8192,
  // both KVM guests are open at once in the bench (2 x (1024 MiB + 512 for QEMU), src/bench/interleave-groups.ts)
  memoryMib: 5120,
  runs: [
    // One probe run serves both: --deep adds the proof by acting to the same findings. kvm-virtio is
    // proved here; the bench below boots kvm-emulated (and kvm-virtio again) for real.
    { name: 'probe', args: ['probe', '--deep', '--deep-tiers', 'kvm-virtio', '--json', '{json}'] },
    bench('bench', KVM_TIERS, undefined),
    { name: 'leftovers', shell: LEFTOVERS_SHELL },
  ],
  timeoutS: 720,
  expect: [
    ...amdVNptProbeExpectations,
    readiness('probe', 'kvm-virtio', true, '--deep boots a guest under kvm_amd and runs a job in it'),
    { kind: 'custom', run: 'probe', what: 'kvm-virtio proved by acting (--deep)', check: (o) => proved(o.json, ['kvm-virtio']) },
    everyJobMeasured('bench', KVM_TIERS, ALL_JOBS),
    ranInterleaved('bench', KVM_TIERS),
    kvmConfigRecorded('bench', 'kvm-virtio', { disk: /virtio-blk/, nic: /virtio-net/ }),
    kvmConfigRecorded('bench', 'kvm-emulated', { disk: /AHCI/, nic: /e1000/ }),
    saysEmulationSpeed('bench'),
    nothingLeft('leftovers'),
  ],
}

const proved = (json: unknown, tiers: readonly string[]): string | undefined => {
  const r = (json as { readiness?: { tier: string; provedBy?: string; summary?: string }[] } | undefined)?.readiness ?? []
  const missing = tiers.filter((t) => !r.find((x) => x.tier === t)?.provedBy)
  return missing.length
    ? `not proved: ${missing.map((t) => `${t} (${r.find((x) => x.tier === t)?.summary ?? 'absent'})`).join('; ')}`
    : undefined
}

/**
 * The CI smoke: the same machine, one KVM tier job. A bench report carries the findings and readiness
 * of the probe it ran first, so the probe verdicts are checked on it (one Node start fewer).
 */
export const amdVNptSmoke: LabHost = {
  ...amdVNpt,
  name: 'amd-v-npt-smoke',
  runs: [bench('bench', ['kvm-virtio'], ['sys.syscall']), { name: 'leftovers', shell: LEFTOVERS_SHELL }],
  timeoutS: 420,
  expect: [
    ...amdVNptProbeExpectations.map((e) => ({ ...e, run: 'bench' })),
    everyJobMeasured('bench', ['kvm-virtio'], ['sys.syscall']),
    kvmConfigRecorded('bench', 'kvm-virtio', { disk: /virtio-blk/ }),
    saysEmulationSpeed('bench'),
    nothingLeft('leftovers'),
  ],
}
