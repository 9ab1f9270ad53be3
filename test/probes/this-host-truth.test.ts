/**
 * This machine (captured 2026-12-02): kvm_pvm, hybrid cgroups, a leaked /.dockerenv, Debian 12 with
 * criu 3.17.1 on kernel 6.18, dockerd installed but not running, PID 1 not systemd, no IOMMU drivers
 * or VFIO in the kernel. Every false pass, failing fix and misleading sentence once printed here.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { Finding } from '../../src/core/finding.js'
import { validateSnapshot, type HostSnapshot } from '../../src/host/snapshot.js'
import { SnapshotHost } from '../../src/host/snapshot-host.js'
import type { ProbeEnv } from '../../probes/types.js'
import { runProbes } from '../../src/probe-run/run-probes.js'
import { PROBES } from '../../probes/index.js'
import { FIXTURE_DIR, probeFixture } from './helpers.js'

const HOST = 'this-host-criu-3.17-kernel-6.18'
const loadSnap = (name: string): HostSnapshot => validateSnapshot(JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8')), name)
const probeSnap = async (snap: HostSnapshot, env: ProbeEnv = { kernelCacheDirs: [] }) => {
  const findings = await runProbes(new SnapshotHost(snap, 'variant'), PROBES, env)
  return (id: string): Finding => {
    const f = findings.find((x) => x.id === id)
    if (!f) throw new Error(`no finding ${id}`)
    return f
  }
}
const allText = (f: Finding) =>
  [f.summary, ...f.evidence.map((e) => `${e.source} ${e.observed}`), f.remediation?.summary ?? '', ...(f.remediation?.commands ?? [])].join(
    '\n',
  )

describe('this host: no false passes', () => {
  it('disk quota is decided per file system: ext4 root without QFMT_V2 and xfs without XFS_QUOTA do not count, btrfs qgroups do', async () => {
    const p = await probeFixture(HOST)
    const q = p.finding('os-features.disk-quota')
    expect(q.status).toBe('warn')
    expect(q.summary).toBe(
      'not available: not on the root file system, where container storage lives by default (ext4: CONFIG_QFMT_V2 not set); only btrfs qgroups (built into btrfs) would work here',
    )
    expect(q.summary).not.toMatch(/xfs/) // XFS_QUOTA=n: xfs is not offered
    expect(q.remediation?.summary).toMatch(/btrfs/)
  })

  it('checkpoint/restore and live migration fail with criu 3.17 on kernel 6.18, and pre-copy without soft-dirty', async () => {
    const p = await probeFixture(HOST)
    const cr = p.finding('os-features.checkpoint-restore')
    expect(cr.status).toBe('warn')
    expect(cr.summary).toMatch(/criu 3\.17\.1 cannot start on kernel 6\.18.*Unexpected rt vDSO area bounds/)
    expect(cr.remediation?.commands ?? []).not.toContain('sudo apt-get install criu') // the package is the broken one
    expect(cr.remediation?.summary).toMatch(/CRIU 4\.1 or newer/)
    const lm = p.finding('os-features.live-migration')
    expect(lm.status).toBe('warn')
    expect(lm.summary).toMatch(/no pre-copy \(CONFIG_MEM_SOFT_DIRTY not set/)
    expect(lm.remediation?.summary).toMatch(/CONFIG_MEM_SOFT_DIRTY \(a different kernel\)/)
    const sw = p.finding('software.criu')
    expect(sw.status).toBe('warn')
    expect(sw.facts).toMatchObject({ installed: true, version: '3.17.1', usable: false })
  })

  it('--deep runs `criu check` and reports its first error (recorded output of this host)', async () => {
    const snap = loadSnap(HOST)
    const criuCheck = {
      kind: 'exited' as const,
      exitCode: 1,
      stdout: '',
      stderr:
        'Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\nError (criu/vdso.c:613): vdso: Failed to fill self vdso symtable\nError (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing kerndat.\nError (criu/crtools.c:260): Could not initialize kernel features detection.\n',
      durationMs: 12,
    }
    const f = await probeSnap(
      { ...snap, commands: { ...snap.commands, '["/usr/sbin/criu","check"]': criuCheck } },
      { kernelCacheDirs: [], deep: true },
    )
    const cr = f('os-features.checkpoint-restore')
    expect(cr.status).toBe('warn')
    expect(cr.evidence.find((e) => e.source === 'criu check')?.observed).toBe(
      'criu check: exit 1: Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds',
    )
  })

  it('hugetlb, bound only to the v2 mount in this hybrid setup, is not listed as an available controller', async () => {
    const p = await probeFixture(HOST)
    const c = p.finding('cgroups.controllers')
    expect(c.facts?.['controllers']).toBe('cpu,cpuacct,cpuset,devices,freezer,io,memory,pids')
    expect(c.facts?.['v2OnlyControllers']).toBe('hugetlb')
    expect(c.summary).toMatch(
      /available: cpu cpuacct cpuset devices freezer io memory pids; hugetlb bound only to the v2 mount \(hybrid\): runc and crun cannot set that limit/,
    )
  })

  it('QEMU does not show a green kvm accelerator when /dev/kvm is PVM', async () => {
    const p = await probeFixture(HOST)
    const q = p.finding('software.qemu-system-x86_64')
    expect(q.summary).toMatch(
      /^7\.2\.22, accelerators: tcg \(kvm is built in, but \/dev\/kvm here is PVM: standard guests cannot boot under it/,
    )
    expect(q.facts).toMatchObject({ accelerators: 'tcg,kvm', usableAccelerators: 'tcg' })
  })
})

describe('this host: fixes that work here', () => {
  it('docker: dockerd installed, PID 1 is not systemd -> start dockerd by hand, no systemctl', async () => {
    const p = await probeFixture(HOST)
    const d = p.finding('software.docker')
    expect(d.status).toBe('warn')
    expect(allText(d)).not.toMatch(/systemctl start/)
    expect(d.remediation?.summary).toMatch(/PID 1 is process_api, so there is no systemctl/)
    expect(d.remediation?.commands).toEqual(['sudo /usr/sbin/dockerd >/var/log/dockerd.log 2>&1 &'])
  })

  it('docker: only the CLI installed (the earlier capture) -> install the engine', async () => {
    const p = await probeFixture('this-host-kvm-pvm')
    const d = p.finding('software.docker')
    expect(d.remediation?.summary).toMatch(/Only the docker CLI is installed \(no dockerd on PATH\): install the engine/)
    expect(d.remediation?.commands?.[0]).toBe('sudo apt-get install docker.io')
    expect(allText(d)).not.toMatch(/systemctl/)
  })

  it('docker: a live run with no socket and no DOCKER_HOST says so without spawning the CLI', async () => {
    const snap = loadSnap(HOST)
    const {
      ['["/usr/local/bin/docker","info","--format","{{.ServerVersion}} {{.CgroupVersion}} {{.CgroupDriver}}"]']: _info,
      ...commands
    } = snap.commands
    const f = await probeSnap(
      { ...snap, commands, stats: { ...snap.stats, '/var/run/docker.sock': { kind: 'missing' } } },
      { kernelCacheDirs: [], docker: { redirected: false, configFile: '/root/.docker/config.json' } },
    )
    expect(f('software.docker').summary).toBe('CLI installed but no engine: /var/run/docker.sock does not exist')
    // with DOCKER_HOST set only `docker info` can tell (here: not recorded, so it does not answer)
    const g = await probeSnap(
      { ...snap, commands, stats: { ...snap.stats, '/var/run/docker.sock': { kind: 'missing' } } },
      { kernelCacheDirs: [], docker: { redirected: true, configFile: '/root/.docker/config.json' } },
    )
    expect(g('software.docker').summary).toBe('CLI installed but the engine does not answer')
  })

  it('IOMMU: a kernel without IOMMU drivers and VFIO -> the fix is a different kernel', async () => {
    const p = await probeFixture(HOST)
    const f = p.finding('iommu.firmware')
    expect(f.remediation?.summary).toMatch(
      /^This kernel was built without an IOMMU driver .* and VFIO \(CONFIG_VFIO\): device passthrough needs a different kernel/,
    )
    expect(f.evidence.map((e) => e.observed).join(' ')).toMatch(/VFIO=n/)
  })

  it('CPU finding and KVM finding tell the same PVM story', async () => {
    const p = await probeFixture(HOST)
    const cpu = p.finding('cpu.virt-extensions')
    expect(cpu.remediation?.summary).not.toMatch(/only TCG emulation runs/)
    expect(cpu.remediation?.summary).toMatch(
      /\/dev\/kvm is PVM: guests with a PVM-enabled kernel \(CONFIG_PVM_GUEST\) run under KVM, standard guest kernels only under TCG/,
    )
  })
})

describe('this host: sentences that say what was seen', () => {
  it('names the /.dockerenv marker and why it is discounted', async () => {
    const p = await probeFixture(HOST)
    const c = p.finding('environment.container')
    expect(c.status).toBe('pass')
    expect(c.facts).toMatchObject({ role: 'host', discountedMarkers: 1 })
    expect(c.summary).toMatch(/^no: marker present but discounted: \/\.dockerenv \(leaked from an image/)
    expect(c.summary).not.toMatch(/no container markers/)
  })

  it('privileges: says /proc/1/environ was denied and that an LSM, not uid or CAP_SYS_PTRACE, is the likely cause', async () => {
    const p = await probeFixture(HOST)
    const pr = p.finding('environment.privileges')
    expect(pr.summary).not.toMatch(/every check at full fidelity$/)
    expect(pr.summary).toMatch(
      /except: denied \/proc\/1\/environ \(although uid 0 and CAP_SYS_PTRACE are held, so neither is the cause: a Linux security module is the likely cause/,
    )
    const ct = p.finding('environment.container')
    expect(ct.evidence.find((e) => e.source === '/proc/1/environ')?.observed).not.toMatch(/needs the same uid as PID 1 or CAP_SYS_PTRACE/)
  })

  it('an unprivileged denial still names uid / CAP_SYS_PTRACE', async () => {
    const snap = loadSnap(HOST)
    const f = await probeSnap({ ...snap, identity: { ...snap.identity, uid: 1000 } })
    expect(f('environment.container').evidence.find((e) => e.source === '/proc/1/environ')?.observed).toMatch(
      /needs the same uid as PID 1 or CAP_SYS_PTRACE; this process has uid 1000/,
    )
  })

  it('"iommu: Default domain type: Translated" (printed by every kernel) is never cited', async () => {
    const snap = loadSnap(HOST)
    expect(JSON.stringify(snap.commands['["dmesg"]'])).toMatch(/iommu: Default domain type: Translated/)
    const p = await probeFixture(HOST)
    for (const f of p.findings) expect(allText(f), f.id).not.toMatch(/Default domain type/)
  })

  it('keeps every check: at least the 50 findings of before', async () => {
    const p = await probeFixture(HOST)
    expect(p.findings.length).toBeGreaterThanOrEqual(50)
  })
})

/** The same host with its kernel config edited: `CONFIG_X=y` -> `# CONFIG_X is not set`. */
const withKernelOff = (snap: HostSnapshot, options: readonly string[]): HostSnapshot => {
  const key = '/proc/config.gz@0+1048576'
  const stored = snap.bytes[key]
  if (stored?.kind !== 'ok') throw new Error('fixture has no kernel config')
  let cfg = gunzipSync(Buffer.from(stored.base64, 'base64')).toString('utf8')
  for (const o of options) cfg = cfg.replace(new RegExp(`^CONFIG_${o}=.*$`, 'm'), `# CONFIG_${o} is not set`)
  return { ...snap, bytes: { ...snap.bytes, [key]: { kind: 'ok', base64: gzipSync(cfg).toString('base64') } } }
}

describe('checks the peers make: seccomp, LSMs, mqueue, CGROUP_BPF, keys, swap accounting, NAT, network drivers', () => {
  it('this host: each one decided from its evidence', async () => {
    const p = await probeFixture(HOST)
    expect(p.status('os-features.seccomp')).toBe('pass')
    expect(
      p
        .finding('os-features.seccomp')
        .evidence.map((e) => e.observed)
        .join(' '),
    ).toMatch(/SECCOMP_FILTER=y/)
    const lsm = p.finding('os-features.lsm')
    expect(lsm.summary).toMatch(/no AppArmor, SELinux or Smack interface visible.*securityfs is not mounted/)
    expect(lsm.evidence.map((e) => e.observed).join(' ')).toMatch(/LSM="landlock,lockdown,yama/)
    expect(p.status('os-features.posix-mqueue')).toBe('pass')
    expect(p.finding('os-features.cgroup-bpf').summary).toMatch(/this hybrid host uses the v1 devices controller today/)
    expect(p.status('os-features.keys')).toBe('pass')
    const swap = p.finding('os-features.swap-accounting')
    expect(swap.status).toBe('pass')
    expect(swap.evidence.find((e) => e.source === '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes')?.observed).toBe('present')
    expect(p.status('os-features.container-nat')).toBe('pass')
    const net = p.finding('os-features.network-drivers')
    expect(net.status).toBe('warn')
    expect(net.facts).toMatchObject({ available: 'macvlan,vxlan', missing: 'vlan,ipvlan,dummy' })
    expect(net.remediation?.summary).toMatch(/CONFIG_VLAN_8021Q, CONFIG_IPVLAN, CONFIG_DUMMY: that needs a different kernel/)
  })

  it('a kernel without them: each warns with the kernel as the fix', async () => {
    const snap = withKernelOff(loadSnap(HOST), [
      'SECCOMP_FILTER',
      'CGROUP_BPF',
      'IP_NF_TARGET_MASQUERADE',
      'NETFILTER_XT_TARGET_MASQUERADE',
      'NFT_MASQ',
      'BRIDGE_NETFILTER',
    ])
    const f = await probeSnap(snap)
    expect(f('os-features.seccomp').status).toBe('warn')
    expect(f('os-features.seccomp').remediation?.summary).toMatch(/CONFIG_SECCOMP_FILTER/)
    expect(f('os-features.cgroup-bpf').summary).toMatch(/a blocker on pure cgroup v2/)
    const nat = f('os-features.container-nat')
    expect(nat.status).toBe('warn')
    expect(nat.summary).toMatch(/missing bridge netfilter, masquerade/)
    // mqueue is registered by the running kernel: the file system list wins over an edited config
    const noMq = await probeSnap({
      ...withKernelOff(loadSnap(HOST), ['POSIX_MQUEUE']),
      reads: { ...snap.reads, '/proc/filesystems': { kind: 'ok', text: 'nodev\tproc\n\text4\n' } },
    })
    expect(noMq('os-features.posix-mqueue').status).toBe('warn')
    expect(noMq('os-features.posix-mqueue').summary).toMatch(/default OCI containers fail to start/)
  })
})
