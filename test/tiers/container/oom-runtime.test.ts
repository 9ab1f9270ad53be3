/**
 * The runtime tiers' OOM evidence, pure parts (and the lxc stop hook's script, run for real on a
 * stand-in directory): where a process's memory cgroup is, the kernel log's OOM-kill records, whose
 * kills count, the reason's wording for podman/lxc, the lxc config's swap limit and hook.
 */
import { execa } from 'execa'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCgroupMounts } from '../../../src/parse/cgroup.js'
import { lxcConfig, oomHookScript } from '../../../src/tiers/container/lxc.js'
import {
  containerOomKills,
  describeExit,
  memoryCgroupPath,
  oomReason,
  parseKernelOomKills,
  parseV1MemoryEvents,
  readMemoryEvents,
} from '../../../src/tiers/container/oom.js'

const CG = '/libpod_parent/libpod-fe682fc0e84b'
// Records as /dev/kmsg hands them out (one per read), from this project's dev host.
const KMSG = [
  '4,2760,17392022000,-;vcwork invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n',
  `6,2770,17392022781,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=libpod-fe682fc0e84b,mems_allowed=0,oom_memcg=${CG},task_memcg=${CG},task=vcwork,pid=27023,uid=0\n`,
  '3,2771,17392022790,-;Memory cgroup out of memory: Killed process 27023 (vcwork) total-vm:99856kB, anon-rss:32384kB, file-rss:784kB, shmem-rss:0kB, UID:0 pgtables:108kB oom_score_adj:0\n',
  '6,2772,17392030000,-;oom_reaper: reaped process 27023 (vcwork), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n',
  '3,2780,17400000000,-;Out of memory: Killed process 4242 (stress) total-vm:1kB\n SUBSYSTEM=foo\n',
]

describe('runtime tiers: finding the memory cgroup', () => {
  it('reads the memory line of /proc/PID/cgroup (v1) or the unified line (v2)', () => {
    const hybrid = `9:name=systemd:${CG}\n4:memory:${CG}\n2:cpu,cpuacct:${CG}\n0::${CG}\n`
    expect(memoryCgroupPath(hybrid, 'v1')).toBe(CG)
    expect(memoryCgroupPath('0::/lxc.payload.x\n', 'v2')).toBe('/lxc.payload.x')
    expect(memoryCgroupPath('0::/x\n', 'v1')).toBeUndefined()
    expect(memoryCgroupPath('4:memory:/a\n', 'v2')).toBeUndefined()
  })

  it("counters from a directory (the cgroup, or the stop hook's copy); undefined once it is gone", async () => {
    const d = await mkdtemp(join(tmpdir(), 'vc-oom-read-'))
    try {
      await writeFile(join(d, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n')
      await writeFile(join(d, 'memory.failcnt'), '12\n')
      expect(await readMemoryEvents(d, 'v1')).toEqual({ source: 'memory.oom_control', oomKills: 1, limitHits: 12 })
      expect(await readMemoryEvents(join(d, 'gone'), 'v1')).toBeUndefined()
      expect(await readMemoryEvents(d, 'v2')).toBeUndefined() // no memory.events there
    } finally {
      await rm(d, { recursive: true, force: true })
    }
  })
})

describe('runtime tiers: the kernel log as evidence', () => {
  it('parses OOM-kill records (kmsg prefix, summary line, continuation lines)', () => {
    expect(parseKernelOomKills(KMSG)).toEqual([
      { pid: 27023, taskMemcg: CG, text: 'Memory cgroup out of memory: Killed process 27023 (vcwork)' },
      { pid: 4242, text: 'Out of memory: Killed process 4242 (stress)' },
    ])
    expect(parseKernelOomKills(['6,1,1,-;oom_reaper: reaped process 5 (x)\n', 'plain text'])).toEqual([])
  })

  it("counts only kills of the container: its agent's pid or a task in its memory cgroup", () => {
    const kills = parseKernelOomKills(KMSG)
    expect(containerOomKills(kills, { pids: [27023] }).map((k) => k.pid)).toEqual([27023])
    expect(containerOomKills(kills, { pids: [], memcgPath: CG }).map((k) => k.pid)).toEqual([27023]) // a child of the agent
    expect(containerOomKills(kills, { pids: [31337], memcgPath: '/libpod_parent/libpod-other' })).toEqual([]) // someone else's OOM
  })

  it('describes how the container ended, SIGKILL named', () => {
    expect(describeExit('podman', 'exited with code 137')).toBe('the container ended: podman exited with code 137 (SIGKILL)')
    expect(describeExit('lxc-execute', 'exited with code 1')).toBe('the container ended: lxc-execute exited with code 1')
    expect(describeExit('podman', 'killed by SIGTERM')).toBe('the container ended: podman was killed by SIGTERM')
    expect(describeExit('podman', undefined)).toBe('the container ended')
  })

  it("the reason names the tier's own option and, where the counters went with the cgroup, the given evidence", () => {
    const before = parseV1MemoryEvents('oom_kill 0\n', '0')
    const r = oomReason({
      job: 'mem.stream',
      verdict: { kind: 'oom', kills: 1 },
      tier: 'podman',
      memoryMiB: 32,
      params: { sizeMb: 32 },
      before,
      evidence: 'memory.oom_control oom_kill was 0 before the job; kernel log: "Killed process 1 (vcwork)"',
      agentExit: 'the container ended: podman exited with code 137 (SIGKILL)',
      aftermath: 'A fresh container with the same limits runs the remaining jobs.',
    })
    expect(r).toMatch(/^mem\.stream: out of memory: the container's memory limit of 32 MiB \(--tier-opt podman\.memory-mib=32\)/)
    expect(r).toContain(
      '(the container ended: podman exited with code 137 (SIGKILL); memory.oom_control oom_kill was 0 before the job; kernel log: "Killed process 1 (vcwork)")',
    )
    expect(r).toContain('Raise podman.memory-mib (or leave it unset)')
    expect(r).not.toContain('container.memory-mib')
    expect(r).not.toContain('->')
  })
})

describe('lxc: no swap beyond the limit, and the stop hook that keeps the counters', () => {
  const HYBRID = [
    '27 24 0:24 / /sys/fs/cgroup/cpu rw,nosuid - cgroup cgroup rw,cpu',
    '28 24 0:25 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory',
    '25 23 0:22 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate',
  ].join('\n')
  const base = { name: 'n', rootfs: '/w/rootfs', scratch: '/s', limits: { memoryMiB: 32, pidsMax: 100 } }

  it('v1: memsw limit = memory limit (after it) where swap is accounted; the hook line', () => {
    const layout = { ...parseCgroupMounts(HYBRID), v2Controllers: ['hugetlb'] }
    const conf = lxcConfig({ ...base, layout, swapAccounted: true, stopHook: "/bin/sh '/w/oom-hook.sh'" })
    const lines = conf.split('\n')
    expect(lines).toContain('lxc.cgroup.memory.limit_in_bytes = 33554432')
    expect(lines).toContain('lxc.cgroup.memory.memsw.limit_in_bytes = 33554432')
    expect(lines.indexOf('lxc.cgroup.memory.memsw.limit_in_bytes = 33554432')).toBeGreaterThan(
      lines.indexOf('lxc.cgroup.memory.limit_in_bytes = 33554432'),
    )
    expect(lines).toContain("lxc.hook.stop = /bin/sh '/w/oom-hook.sh'")
    // Without swap accounting the key would make lxc fail to start: left out.
    expect(lxcConfig({ ...base, layout, swapAccounted: false })).not.toContain('memsw')
    // No memory limit, no swap limit.
    expect(lxcConfig({ ...base, limits: { pidsMax: 100 }, layout, swapAccounted: true })).not.toContain('memsw')
  })

  it('v2: memory.swap.max = 0', () => {
    const layout = { ...parseCgroupMounts('30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw'), v2Controllers: ['cpu', 'memory', 'pids'] }
    const conf = lxcConfig({ ...base, layout, swapAccounted: true })
    expect(conf).toContain('lxc.cgroup2.memory.max = 33554432')
    expect(conf).toContain('lxc.cgroup2.memory.swap.max = 0')
  })

  it("the hook copies the noted cgroup's counter files, even from a path with spaces and quotes", async () => {
    const d = await mkdtemp(join(tmpdir(), "vc-oom hook's-"))
    try {
      const cg = join(d, 'cgroup')
      await mkdir(cg)
      await writeFile(join(cg, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n')
      await writeFile(join(cg, 'memory.failcnt'), '3\n')
      await writeFile(join(d, 'ct1.memcg'), cg)
      const script = join(d, 'oom-hook.sh')
      await writeFile(script, oomHookScript(d))
      // As lxc runs it: hook.version 0 passes name, section, type (and namespace paths) as arguments.
      const r = await execa('/bin/sh', [script, 'ct1', 'lxc', 'stop', 'mnt:/proc/1/fd/3'], { reject: false, env: { LXC_NAME: 'ct1' } })
      expect(r.exitCode).toBe(0)
      expect(await readFile(join(d, 'ct1.oom', 'memory.oom_control'), 'utf8')).toContain('oom_kill 1')
      expect(await readMemoryEvents(join(d, 'ct1.oom'), 'v1')).toEqual({ source: 'memory.oom_control', oomKills: 1, limitHits: 3 })
      // A container whose cgroup was never noted: nothing to copy, and no failure for lxc to log.
      expect((await execa('/bin/sh', [script, 'ct2', 'lxc', 'stop'], { reject: false })).exitCode).toBe(0)
    } finally {
      await rm(d, { recursive: true, force: true })
    }
  })
})
