/**
 * The OS-level virtualization feature table for this kernel (the classic comparison of container
 * systems): file system isolation, disk quota, IO rate limiting, memory limit, CPU quota, network
 * isolation, checkpoint/restore and live migration. Each row: available or not, and why.
 */
import { evidence, pass, unknown, warn, type Evidence, type Finding, type Remediation } from '../src/core/finding.js'
import type { Host } from '../src/core/host.js'
import { kconfigEnabled } from '../src/parse/kconfig.js'
import { parseFilesystems } from '../src/parse/kv.js'
import type { Probe } from './types.js'
import { cgroupView, controllersAvailable } from './cgroups.js'
import { exists, kconfig, text, which } from './lib/facts.js'

interface Row {
  readonly id: string
  readonly title: string
  /** true = available, false = not, undefined = cannot tell. */
  readonly ok: boolean | undefined
  readonly how: string
  readonly ev: Evidence[]
  readonly fix: Remediation
}

const toFinding = (r: Row): Finding => {
  const h = { id: `os-features.${r.id}`, area: 'os-features', title: r.title, facts: { available: r.ok ?? null } } as const
  if (r.ok === true) return pass(h, `available: ${r.how}`, r.ev)
  if (r.ok === false) return warn(h, `not available: ${r.how}`, r.ev, r.fix)
  return unknown(h, `cannot tell: ${r.how}`, r.ev)
}

const rows = async (host: Host): Promise<Row[]> => {
  const [cfg, fsText, ns, ctl, cg, criu, tun] = await Promise.all([
    kconfig(host),
    text(host, '/proc/filesystems'),
    host.list('/proc/self/ns'),
    controllersAvailable(host),
    cgroupView(host),
    which(host, 'criu'),
    exists(host, '/dev/net/tun'),
  ])
  const fs = parseFilesystems(fsText ?? '')
  const nsSet = new Set(ns.kind === 'ok' ? ns.entries : [])
  const k = (name: string): boolean | undefined => (cfg.ok ? kconfigEnabled(cfg.value, name) ?? false : undefined)
  const kev = (...names: string[]) => evidence(cfg.ok ? cfg.source : 'kernel config', cfg.ok ? names.map((n) => `${n}=${cfg.value.get(n) ?? 'not set'}`).join(' ') : cfg.why)
  const ctlEv = evidence('cgroup controllers', [...ctl.names].sort().join(' ') || 'none')
  const ioThrottleV1 = cg.mode === 'v1' || cg.mode === 'hybrid' ? await exists(host, '/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device') : false
  const cfsV1 = cg.mode === 'v1' || cg.mode === 'hybrid' ? await exists(host, '/sys/fs/cgroup/cpu/cpu.cfs_quota_us') : false
  const quotaFs = ['xfs', 'ext4', 'btrfs'].filter((f) => fs.has(f))
  return [
    {
      id: 'fs-isolation',
      title: 'File system isolation (mount namespace + pivot_root, overlay)',
      ok: nsSet.has('mnt'),
      how: nsSet.has('mnt') ? `mount namespaces${fs.has('overlay') ? ' + overlayfs for copy-on-write roots' : ' (no overlayfs: rootfs copies)'}` : 'no mount namespace',
      ev: [evidence('/proc/self/ns', nsSet.has('mnt') ? 'mnt present' : 'mnt missing'), evidence('/proc/filesystems', fs.has('overlay') ? 'overlay' : 'no overlay')],
      fix: { summary: 'Enable CONFIG_NAMESPACES and CONFIG_OVERLAY_FS.' },
    },
    {
      id: 'disk-quota',
      title: 'Disk quota (per-container space limits)',
      ok: k('QUOTA') === undefined ? undefined : k('QUOTA') === true && quotaFs.length > 0,
      how: k('QUOTA') === undefined ? 'kernel config unreadable' : k('QUOTA') ? `CONFIG_QUOTA with ${quotaFs.join(', ') || 'no quota-capable file system'} (project quotas; btrfs qgroups)` : 'CONFIG_QUOTA not set',
      ev: [kev('QUOTA', 'XFS_QUOTA', 'QFMT_V2'), evidence('/proc/filesystems', quotaFs.join(' ') || 'no xfs/ext4/btrfs')],
      fix: { summary: 'Use a kernel with CONFIG_QUOTA and an xfs (prjquota) or ext4 (project quota) file system for container storage.' },
    },
    {
      id: 'io-limit',
      title: 'IO rate limiting (blkio throttle / io.max)',
      ok: ctl.names.has('io') ? (cg.mode === 'v2' ? true : ioThrottleV1 || k('BLK_DEV_THROTTLING') === true) : false,
      how: ctl.names.has('io') ? (cg.mode === 'v2' ? 'cgroup v2 io.max' : ioThrottleV1 ? 'cgroup v1 blkio.throttle.*' : 'blkio controller (throttling not confirmed)') : 'no io/blkio controller',
      ev: [ctlEv, kev('BLK_DEV_THROTTLING'), ...(cg.mode !== 'v2' ? [evidence('/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device', ioThrottleV1 ? 'present' : 'missing')] : [])],
      fix: { summary: 'Enable CONFIG_BLK_CGROUP and CONFIG_BLK_DEV_THROTTLING; on v2 enable the io controller in cgroup.subtree_control.' },
    },
    {
      id: 'memory-limit',
      title: 'Memory limit',
      ok: ctl.names.has('memory'),
      how: ctl.names.has('memory') ? `memory controller (${cg.mode === 'v2' ? 'memory.max' : 'memory.limit_in_bytes'})` : 'no memory controller',
      ev: [ctlEv],
      fix: { summary: 'Enable CONFIG_MEMCG (and cgroup_enable=memory on kernels that need it).' },
    },
    {
      id: 'cpu-quota',
      title: 'CPU quota (CFS bandwidth)',
      ok: ctl.names.has('cpu') ? (cfsV1 || k('CFS_BANDWIDTH') !== false) : false,
      how: ctl.names.has('cpu') ? (cg.mode === 'v2' ? 'cpu.max' : cfsV1 ? 'cpu.cfs_quota_us' : 'cpu controller') : 'no cpu controller',
      ev: [ctlEv, kev('CFS_BANDWIDTH')],
      fix: { summary: 'Enable CONFIG_CFS_BANDWIDTH and the cpu controller.' },
    },
    {
      id: 'network-isolation',
      title: 'Network isolation (net namespace, veth, tap)',
      ok: nsSet.has('net') && k('VETH') !== false,
      how: nsSet.has('net') ? `network namespaces${k('VETH') ? ' + veth' : k('VETH') === false ? ' but no veth' : ''}${tun ? ' + tun/tap' : ''}` : 'no network namespace',
      ev: [evidence('/proc/self/ns', nsSet.has('net') ? 'net present' : 'net missing'), kev('NET_NS', 'VETH', 'TUN', 'BRIDGE')],
      fix: { summary: 'Enable CONFIG_NET_NS and CONFIG_VETH.' },
    },
    {
      id: 'checkpoint-restore',
      title: 'Checkpoint/restore (CRIU)',
      ok: k('CHECKPOINT_RESTORE') === undefined && !criu ? false : k('CHECKPOINT_RESTORE') !== false && !!criu,
      how: `${k('CHECKPOINT_RESTORE') === false ? 'CONFIG_CHECKPOINT_RESTORE not set' : k('CHECKPOINT_RESTORE') ? 'CONFIG_CHECKPOINT_RESTORE=y' : 'kernel config unknown'}, criu ${criu ? 'installed' : 'not installed'}`,
      ev: [kev('CHECKPOINT_RESTORE'), evidence('PATH', criu ?? 'no criu')],
      fix: { summary: k('CHECKPOINT_RESTORE') === false ? 'This kernel lacks CONFIG_CHECKPOINT_RESTORE.' : 'Install CRIU.', commands: criu ? [] : ['sudo apt-get install criu'] },
    },
    {
      id: 'live-migration',
      title: 'Live migration of containers (CRIU pre-copy; post-copy needs userfaultfd)',
      ok: k('CHECKPOINT_RESTORE') !== false && !!criu,
      how: `${criu ? 'criu pre-copy (dump --pre-dump / --track-mem)' : 'no criu'}${k('USERFAULTFD') ? ', lazy-pages post-copy via userfaultfd' : k('USERFAULTFD') === false ? ', no userfaultfd (no post-copy)' : ''}; QEMU guests migrate with QEMU itself`,
      ev: [kev('CHECKPOINT_RESTORE', 'USERFAULTFD', 'MEM_SOFT_DIRTY'), evidence('PATH', criu ?? 'no criu')],
      fix: { summary: 'Install CRIU on a kernel with CONFIG_CHECKPOINT_RESTORE (and CONFIG_USERFAULTFD for post-copy).', commands: criu ? [] : ['sudo apt-get install criu'] },
    },
  ]
}

export const osFeaturesProbe: Probe = {
  id: 'os-features',
  area: 'os-features',
  reads: ['/proc/config.gz', '/proc/filesystems', '/proc/self/ns', '/sys/fs/cgroup/*', 'PATH (criu)'],
  async check(host) {
    return (await rows(host)).map(toFinding)
  },
}
