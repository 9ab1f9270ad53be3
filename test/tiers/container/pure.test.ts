import { describe, expect, it } from 'vitest'
import { controllerHome, describeLayout, limitWrites } from '../../../src/tiers/container/cgroup-layout.js'
import { parseCgroupMounts } from '../../../src/parse/cgroup.js'
import { lxcConfig } from '../../../src/tiers/container/lxc.js'
import { containerArgv } from '../../../src/tiers/container/launch.js'
import { limitFlags } from '../../../src/tiers/container/oci-cli.js'
import { looksStatic } from '../../../src/tiers/container/rootfs.js'
import { keyedCounter, oomReason, oomVerdict, parseV1MemoryEvents, parseV2MemoryEvents } from '../../../src/tiers/container/oom.js'

// A hybrid host like this project's: v1 controllers, v2 unified with hugetlb only.
const HYBRID = [
  '24 23 0:21 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
  '25 24 0:22 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate',
  '27 24 0:24 / /sys/fs/cgroup/cpu rw,nosuid - cgroup cgroup rw,cpu',
  '28 24 0:25 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory',
  '29 24 0:26 / /sys/fs/cgroup/pids rw,nosuid - cgroup cgroup rw,pids',
  '30 24 0:27 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd',
].join('\n')
const PURE_V2 = '30 1 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate'

describe('cgroup layout', () => {
  it('hybrid v1: limits go to the v1 hierarchies', () => {
    const m = parseCgroupMounts(HYBRID)
    expect(m).toEqual({
      v1: { cpu: '/sys/fs/cgroup/cpu', memory: '/sys/fs/cgroup/memory', pids: '/sys/fs/cgroup/pids' },
      v1Mounts: ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/pids', '/sys/fs/cgroup/systemd'],
      v2Mount: '/sys/fs/cgroup/unified',
    })
    const layout = { ...m, v2Controllers: ['hugetlb'] }
    expect(controllerHome(layout, 'cpu')).toEqual({ version: 'v1', mount: '/sys/fs/cgroup/cpu' })
    expect(describeLayout(layout)).toBe('v1 (hybrid: v2 mounted without these controllers)')
  })
  it('pure v2', () => {
    const layout = { ...parseCgroupMounts(PURE_V2), v2Controllers: ['cpu', 'memory', 'pids', 'io'] }
    expect(controllerHome(layout, 'memory')).toEqual({ version: 'v2', mount: '/sys/fs/cgroup' })
    expect(describeLayout(layout)).toBe('v2')
  })
  it('limit files per version', () => {
    expect(limitWrites('cpu', 'v1', { cpuQuotaPct: 50 })).toEqual([
      ['cpu.cfs_period_us', '100000'],
      ['cpu.cfs_quota_us', '50000'],
    ])
    expect(limitWrites('cpu', 'v2', { cpuQuotaPct: 150 })).toEqual([['cpu.max', '150000 100000']])
    expect(limitWrites('memory', 'v1', { memoryMiB: 256 })).toEqual([['memory.limit_in_bytes', '268435456']])
    expect(limitWrites('memory', 'v2', { memoryMiB: 256 })).toEqual([['memory.max', '268435456']])
    expect(limitWrites('pids', 'v2', { pidsMax: 64 })).toEqual([['pids.max', '64']])
    expect(limitWrites('cpu', 'v1', {})).toEqual([])
  })
})

describe('runtime command lines', () => {
  it('lxc config: own rootfs, empty network, scratch bind, v1 keys', () => {
    const layout = { ...parseCgroupMounts(HYBRID), v2Controllers: ['hugetlb'] }
    const conf = lxcConfig({ name: 'n', rootfs: '/w/rootfs', scratch: '/s', limits: { cpuQuotaPct: 50, pidsMax: 100 }, layout })
    expect(conf).toContain('lxc.rootfs.path = dir:/w/rootfs')
    expect(conf).toContain('lxc.net.0.type = empty')
    expect(conf).toContain('lxc.mount.entry = /s scratch none bind,create=dir 0 0')
    expect(conf).toContain('lxc.cgroup.cpu.cfs_quota_us = 50000')
    expect(conf).toContain('lxc.cgroup.pids.max = 100')
  })
  it('built-in container: all namespaces, userns only when asked, gate before unshare', () => {
    const a = containerArgv({ rootfs: '/r', scratch: '/s', hostname: 'h', userns: false, command: ['/bin/vcwork', 'agent'] })
    expect(a.slice(0, 3)).toEqual(['/bin/sh', '-c', 'read -r _go && exec "$@"'])
    for (const f of ['--pid', '--fork', '--mount', '--uts', '--ipc', '--net', '--kill-child']) expect(a).toContain(f)
    expect(a).not.toContain('--user')
    expect(a.slice(-2)).toEqual(['/bin/vcwork', 'agent'])
    expect(containerArgv({ rootfs: '/r', scratch: '/s', hostname: 'h', userns: true, command: ['x'] })).toContain('--map-root-user')
  })
  it('docker/podman limit flags', () => {
    expect(limitFlags({ cpuQuotaPct: 50, memoryMiB: 64, pidsMax: 100 })).toEqual([
      '--cpus',
      '0.50',
      '--memory',
      '64m',
      '--memory-swap',
      '64m',
      '--pids-limit',
      '100',
    ])
  })
  it('static busybox detection', () => {
    expect(looksStatic(Buffer.from('\x7fELF....no interpreter'))).toBe(true)
    expect(looksStatic(Buffer.from('\x7fELF..../lib64/ld-linux-x86-64.so.2'))).toBe(false)
  })
})

describe('container OOM evidence (memory cgroup counters)', () => {
  const V1_OOM_CONTROL = (kills: number) => `oom_kill_disable 0\nunder_oom 0\noom_kill ${kills}\n`
  const V2_EVENTS = (max: number, kills: number) => `low 0\nhigh 0\nmax ${max}\noom ${kills}\noom_kill ${kills}\noom_group_kill 0\n`

  it('parses v1 memory.oom_control + memory.failcnt and v2 memory.events', () => {
    expect(parseV1MemoryEvents(V1_OOM_CONTROL(2), '57\n')).toEqual({ source: 'memory.oom_control', oomKills: 2, limitHits: 57 })
    // With memory.memsw.limit_in_bytes = the limit, the memsw counter may be the one that counts.
    expect(parseV1MemoryEvents(V1_OOM_CONTROL(1), '0\n', '40\n')).toEqual({ source: 'memory.oom_control', oomKills: 1, limitHits: 40 })
    // Kernels before 4.13 have no oom_kill line.
    expect(parseV1MemoryEvents('oom_kill_disable 0\nunder_oom 0\n', '3\n')).toEqual({ source: 'memory.oom_control', limitHits: 3 })
    expect(parseV2MemoryEvents(V2_EVENTS(12, 1))).toEqual({ source: 'memory.events', oomKills: 1, limitHits: 12 })
    expect(keyedCounter('oom 4\noom_kill 3\n', 'oom')).toBe(4)
    expect(keyedCounter('oom_kill x\n', 'oom_kill')).toBeUndefined()
  })

  it('an oom_kill increase is proof; no increase is no OOM, even when the agent died', () => {
    const b = parseV2MemoryEvents(V2_EVENTS(0, 0))
    expect(oomVerdict(b, parseV2MemoryEvents(V2_EVENTS(40, 1)), true)).toEqual({ kind: 'oom', kills: 1 })
    expect(oomVerdict(b, parseV2MemoryEvents(V2_EVENTS(40, 0)), true)).toEqual({ kind: 'none' })
    expect(oomVerdict(undefined, b, true)).toEqual({ kind: 'none' })
    // Without the counter: only an agent that died while the limit was hit, and it is called likely.
    const old = (hits: string) => parseV1MemoryEvents('under_oom 0\n', hits)
    expect(oomVerdict(old('1'), old('9'), true)).toEqual({ kind: 'likely-oom' })
    expect(oomVerdict(old('1'), old('9'), false)).toEqual({ kind: 'none' })
    expect(oomVerdict(old('1'), old('1'), true)).toEqual({ kind: 'none' })
  })

  it('the reason starts with the job and "out of memory", names the limit, the option and the evidence', () => {
    const before = parseV1MemoryEvents(V1_OOM_CONTROL(0), '0')
    const after = parseV1MemoryEvents(V1_OOM_CONTROL(1), '47')
    const r = oomReason({
      job: 'mem.stream',
      verdict: { kind: 'oom', kills: 1 },
      memoryMiB: 32,
      params: { targetMs: 200, sizeMb: 32 },
      before,
      after,
      agentExit: 'the container ended: unshare exited with code 1',
      aftermath: 'A fresh container with the same limits runs the remaining jobs.',
    })
    expect(r).toMatch(
      /^mem\.stream: out of memory: the container's memory limit of 32 MiB \(--tier-opt container\.memory-mib=32\) is below what this job needs \(job size sizeMb=32\); the kernel OOM killer ended vcwork/,
    )
    expect(r).toContain('(the container ended: unshare exited with code 1; memory.oom_control oom_kill 0 -> 1; limit hit 47 times)')
    expect(r).toMatch(/Raise container\.memory-mib .* A fresh container with the same limits runs the remaining jobs\.$/)
    const unlimited = oomReason({ job: 'mmu.gups', verdict: { kind: 'likely-oom' }, before: after, after })
    expect(unlimited).toMatch(
      /^mmu\.gups: out of memory: no container\.memory-mib limit was set, yet most likely the kernel OOM killer ended a process of the job/,
    )
    expect(unlimited).not.toContain('Raise')
    expect(unlimited).not.toContain('limit hit') // no increase, nothing to say
  })
})
