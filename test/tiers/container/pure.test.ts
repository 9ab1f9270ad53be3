import { describe, expect, it } from 'vitest'
import { controllerHome, describeLayout, limitWrites, parseCgroupMounts } from '../../../src/tiers/container/cgroup-layout.js'
import { lxcConfig } from '../../../src/tiers/container/lxc.js'
import { containerArgv } from '../../../src/tiers/container/launch.js'
import { limitFlags } from '../../../src/tiers/container/oci-cli.js'
import { looksStatic } from '../../../src/tiers/container/rootfs.js'

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
    expect(limitFlags({ cpuQuotaPct: 50, memoryMiB: 64, pidsMax: 100 })).toEqual(['--cpus', '0.50', '--memory', '64m', '--memory-swap', '64m', '--pids-limit', '100'])
  })
  it('static busybox detection', () => {
    expect(looksStatic(Buffer.from('\x7fELF....no interpreter'))).toBe(true)
    expect(looksStatic(Buffer.from('\x7fELF..../lib64/ld-linux-x86-64.so.2'))).toBe(false)
  })
})
