/**
 * The OS-level virtualization feature table for this kernel (the classic comparison of container
 * systems): file system isolation, disk quota, IO rate limiting, memory limit, CPU quota, network
 * isolation, checkpoint/restore and live migration. Each row: available or not, and why, decided from
 * every option and tool the feature needs (per file system for quotas, the installed criu against this
 * kernel for checkpoint/restore, soft-dirty tracking for pre-copy); `--deep` runs `criu check`.
 */
import { evidence, pass, unknown, warn, type Evidence, type Finding, type Remediation } from '../src/core/finding.js'
import type { Host } from '../src/core/host.js'
import { kconfigEnabled } from '../src/parse/kconfig.js'
import { parseFilesystems } from '../src/parse/kv.js'
import { parseMountinfo } from '../src/parse/mountinfo.js'
import type { Probe, ProbeEnv } from './types.js'
import { cgroupView, controllersAvailable } from './cgroups.js'
import { criuState, type CriuState } from './lib/criu.js'
import { exists, kconfig, runOnce, text } from './lib/facts.js'
import { quotaByFs } from './lib/quota.js'

interface Row {
  readonly id: string
  readonly title: string
  /** true = available, false = not, undefined = cannot tell. */
  readonly ok: boolean | undefined
  readonly how: string
  readonly ev: Evidence[]
  readonly fix: Remediation
  readonly facts?: Readonly<Record<string, string | number | boolean | null>>
}

const toFinding = (r: Row): Finding => {
  const h = { id: `os-features.${r.id}`, area: 'os-features', title: r.title, facts: { available: r.ok ?? null, ...r.facts } } as const
  if (r.ok === true) return pass(h, `available: ${r.how}`, r.ev)
  if (r.ok === false) return warn(h, `not available: ${r.how}`, r.ev, r.fix)
  return unknown(h, `cannot tell: ${r.how}`, r.ev)
}

/** `criu check` (deep only): the installed criu asked about this kernel. */
const criuCheck = async (host: Host, c: CriuState, env: ProbeEnv): Promise<{ kind: 'ok' | 'failed'; line: string } | undefined> => {
  if (!env.deep || !c.path) return undefined
  const o = await runOnce(host, [c.path, 'check'], 20_000)
  if (o.kind !== 'exited')
    return {
      kind: 'failed',
      line: `criu check: ${o.kind === 'timed-out' ? `unknown (timed out after ${Math.round(o.durationMs)} ms)` : o.kind}`,
    }
  const out = `${o.stdout}\n${o.stderr}`
  const firstError = out.split('\n').find((l) => /^Error/.test(l.trim()))
  return o.exitCode === 0
    ? { kind: 'ok' as const, line: `criu check: ${out.trim().split('\n').pop() ?? 'exit 0'}` }
    : { kind: 'failed' as const, line: `criu check: exit ${o.exitCode}: ${firstError?.trim() ?? out.trim().split('\n')[0] ?? ''}` }
}

const rows = async (host: Host, env: ProbeEnv): Promise<Row[]> => {
  const [cfg, fsText, ns, ctl, cg, criu, tun, mi] = await Promise.all([
    kconfig(host),
    text(host, '/proc/filesystems'),
    host.list('/proc/self/ns'),
    controllersAvailable(host),
    cgroupView(host),
    criuState(host),
    exists(host, '/dev/net/tun'),
    text(host, '/proc/self/mountinfo'),
  ])
  const check = await criuCheck(host, criu, env)
  const fs = parseFilesystems(fsText ?? '')
  const nsSet = new Set(ns.kind === 'ok' ? ns.entries : [])
  const k = (name: string): boolean | undefined => (cfg.kind === 'ok' ? (kconfigEnabled(cfg.value, name) ?? false) : undefined)
  const kev = (...names: string[]) =>
    evidence(
      cfg.kind === 'ok' ? cfg.source : 'kernel config',
      cfg.kind === 'ok' ? names.map((n) => `${n}=${cfg.value.get(n) ?? 'not set'}`).join(' ') : cfg.why,
    )
  const ctlEv = evidence('cgroup controllers', [...ctl.names].sort().join(' ') || 'none')
  const ioThrottleV1 =
    cg.mode === 'v1' || cg.mode === 'hybrid' ? await exists(host, '/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device') : false
  const cfsV1 = cg.mode === 'v1' || cg.mode === 'hybrid' ? await exists(host, '/sys/fs/cgroup/cpu/cpu.cfs_quota_us') : false
  const quotas = cfg.kind === 'ok' ? quotaByFs(cfg.value, fs).filter((q) => q.present) : []
  const quotaWorks = quotas.filter((q) => q.works)
  const rootFs = (mi ? parseMountinfo(mi) : []).find((m) => m.mountPoint === '/')?.fsType
  const rootQuota = quotas.find((q) => q.fs === rootFs)
  const quotaHow =
    cfg.kind !== 'ok'
      ? 'kernel config unreadable'
      : quotaWorks.length === 0
        ? `no file system can enforce quotas here (${quotas.map((q) => `${q.fs}: ${q.how}`).join('; ') || 'no ext4, xfs or btrfs'})`
        : rootFs && !rootQuota?.works
          ? `not on the root file system, where container storage lives by default (${rootFs}${rootQuota ? `: ${rootQuota.how}` : ': no quota support'}); only ${quotaWorks.map((q) => `${q.fs} ${q.how}`).join(', ')} would work here`
          : `${quotaWorks.map((q) => `${q.fs} ${q.how}`).join(', ')}${rootFs ? ` (root file system is ${rootFs})` : ''}`
  // criu: a kernel that allows it, a criu that starts on this kernel, and (deep) `criu check` passing.
  const crKernel = k('CHECKPOINT_RESTORE')
  const criuWords = !criu.path
    ? 'criu not installed'
    : (criu.kernelBlocks ??
      (check ? check.line : `criu ${criu.version ?? '(version unknown)'} installed${criu.versionWhy ? ` (${criu.versionWhy})` : ''}`))
  const criuUsable: boolean | undefined =
    !criu.path || criu.kernelBlocks || check?.kind === 'failed' ? false : criu.versionTimedOut ? undefined : true
  const newKernel = criu.kernelBlocks !== undefined || /^(?:[7-9]|\d\d+)\.|^6\.(?:1[3-9]|[2-9]\d)/.test(host.identity.kernelRelease)
  const criuFix =
    crKernel === false
      ? { summary: 'This kernel lacks CONFIG_CHECKPOINT_RESTORE: checkpoint/restore needs a different kernel.', commands: [] }
      : criu.kernelBlocks
        ? {
            summary: `${criu.kernelBlocks}. Install CRIU 4.1 or newer (from source or a newer distribution release) or boot a kernel older than 6.13.`,
            commands: [],
          }
        : check?.kind === 'failed'
          ? {
              summary: `The installed criu fails its own self-check here (${check.line}); see \`criu check --all\` for the missing kernel features.`,
              commands: [],
            }
          : !criu.path
            ? newKernel
              ? {
                  summary: 'Install CRIU 4.1 or newer: older releases (Debian 12 ships 3.17) cannot start on kernels from 6.13 on.',
                  commands: [],
                }
              : { summary: 'Install CRIU.', commands: ['sudo apt-get install criu'] }
            : { summary: 'Run `virtcheck probe --deep` to prove it with `criu check`.', commands: [] }
  const softDirty = k('MEM_SOFT_DIRTY')
  const uffd = k('USERFAULTFD')
  return [
    {
      id: 'fs-isolation',
      title: 'File system isolation (mount namespace + pivot_root, overlay)',
      ok: nsSet.has('mnt'),
      how: nsSet.has('mnt')
        ? `mount namespaces${fs.has('overlay') ? ' + overlayfs for copy-on-write roots' : ' (no overlayfs: rootfs copies)'}`
        : 'no mount namespace',
      ev: [
        evidence('/proc/self/ns', nsSet.has('mnt') ? 'mnt present' : 'mnt missing'),
        evidence('/proc/filesystems', fs.has('overlay') ? 'overlay' : 'no overlay'),
      ],
      fix: { summary: 'Enable CONFIG_NAMESPACES and CONFIG_OVERLAY_FS.' },
    },
    {
      id: 'disk-quota',
      title: 'Disk quota (per-container space limits)',
      // available only where container storage (the root file system by default) can enforce it
      ok: cfg.kind !== 'ok' ? undefined : quotaWorks.length > 0 && (rootFs === undefined || rootQuota?.works === true),
      how: quotaHow,
      facts: {
        filesystems: quotas.map((q) => q.fs).join(',') || null,
        quotaWorks: quotaWorks.map((q) => q.fs).join(',') || null,
        rootFs: rootFs ?? null,
      },
      ev: [
        kev('QUOTA', 'QFMT_V2', 'XFS_QUOTA', 'BTRFS_FS'),
        evidence('/proc/filesystems', quotas.map((q) => q.fs).join(' ') || 'no xfs/ext4/btrfs'),
        evidence('/proc/self/mountinfo', rootFs ? `root file system: ${rootFs}` : 'root mount not found'),
      ],
      fix: quotaWorks.length
        ? {
            summary: `Put container storage (/var/lib/containers, /var/lib/docker, /var/lib/lxc) on a ${quotaWorks.map((q) => q.fs).join(' or ')} file system: ${quotaWorks.map((q) => `${q.fs} ${q.how}`).join(', ')} work on this kernel.`,
          }
        : {
            summary:
              'No file system on this kernel can enforce quotas: it needs a different kernel (CONFIG_QUOTA + CONFIG_QFMT_V2 for ext4, CONFIG_XFS_QUOTA for xfs, or btrfs).',
          },
    },
    {
      id: 'io-limit',
      title: 'IO rate limiting (blkio throttle / io.max)',
      ok: ctl.names.has('io') ? (cg.mode === 'v2' ? true : ioThrottleV1 || k('BLK_DEV_THROTTLING') === true) : false,
      how: ctl.names.has('io')
        ? cg.mode === 'v2'
          ? 'cgroup v2 io.max'
          : ioThrottleV1
            ? 'cgroup v1 blkio.throttle.*'
            : 'blkio controller (throttling not confirmed)'
        : 'no io/blkio controller',
      ev: [
        ctlEv,
        kev('BLK_DEV_THROTTLING'),
        ...(cg.mode !== 'v2'
          ? [evidence('/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device', ioThrottleV1 ? 'present' : 'missing')]
          : []),
      ],
      fix: { summary: 'Enable CONFIG_BLK_CGROUP and CONFIG_BLK_DEV_THROTTLING; on v2 enable the io controller in cgroup.subtree_control.' },
    },
    {
      id: 'memory-limit',
      title: 'Memory limit',
      ok: ctl.names.has('memory'),
      how: ctl.names.has('memory')
        ? `memory controller (${cg.mode === 'v2' ? 'memory.max' : 'memory.limit_in_bytes'})`
        : 'no memory controller',
      ev: [ctlEv],
      fix: { summary: 'Enable CONFIG_MEMCG (and cgroup_enable=memory on kernels that need it).' },
    },
    {
      id: 'cpu-quota',
      title: 'CPU quota (CFS bandwidth)',
      ok: ctl.names.has('cpu') ? cfsV1 || k('CFS_BANDWIDTH') !== false : false,
      how: ctl.names.has('cpu') ? (cg.mode === 'v2' ? 'cpu.max' : cfsV1 ? 'cpu.cfs_quota_us' : 'cpu controller') : 'no cpu controller',
      ev: [ctlEv, kev('CFS_BANDWIDTH')],
      fix: { summary: 'Enable CONFIG_CFS_BANDWIDTH and the cpu controller.' },
    },
    {
      id: 'network-isolation',
      title: 'Network isolation (net namespace, veth, tap)',
      ok: nsSet.has('net') && k('VETH') !== false,
      how: nsSet.has('net')
        ? `network namespaces${k('VETH') ? ' + veth' : k('VETH') === false ? ' but no veth' : ''}${tun ? ' + tun/tap' : ''}`
        : 'no network namespace',
      ev: [evidence('/proc/self/ns', nsSet.has('net') ? 'net present' : 'net missing'), kev('NET_NS', 'VETH', 'TUN', 'BRIDGE')],
      fix: { summary: 'Enable CONFIG_NET_NS and CONFIG_VETH.' },
    },
    {
      id: 'checkpoint-restore',
      title: 'Checkpoint/restore (CRIU)',
      ok: crKernel === false || criuUsable === false ? false : criuUsable === undefined ? undefined : true,
      how: `${crKernel === false ? 'CONFIG_CHECKPOINT_RESTORE not set' : crKernel ? 'CONFIG_CHECKPOINT_RESTORE=y' : 'kernel config unknown'}, ${criuWords}${criuUsable && !check ? ' (not proven: --deep runs `criu check`)' : ''}`,
      ev: [
        kev('CHECKPOINT_RESTORE'),
        evidence('PATH', criu.path ? `${criu.path}${criu.version ? ` (criu ${criu.version})` : ''}` : 'no criu'),
        ...(check ? [evidence('criu check', check.line)] : []),
      ],
      fix: criuFix,
    },
    {
      id: 'live-migration',
      title: 'Live migration of containers (CRIU pre-copy; post-copy needs userfaultfd)',
      // pre-copy (--track-mem) needs soft-dirty page tracking, post-copy (lazy-pages) needs userfaultfd
      ok:
        crKernel === false || criuUsable === false || (softDirty === false && uffd === false)
          ? false
          : criuUsable === undefined || softDirty === undefined
            ? undefined
            : true,
      how:
        [
          crKernel === false ? 'CONFIG_CHECKPOINT_RESTORE not set' : criuUsable === false ? criuWords : `criu ${criu.version ?? ''}`.trim(),
          softDirty === false
            ? 'no pre-copy (CONFIG_MEM_SOFT_DIRTY not set: no soft-dirty page tracking for --track-mem)'
            : softDirty
              ? 'pre-copy via soft-dirty tracking'
              : 'soft-dirty tracking unknown',
          uffd === false
            ? 'no post-copy (CONFIG_USERFAULTFD not set)'
            : uffd
              ? `post-copy via userfaultfd${criuUsable === false ? ' once a working criu is installed' : ''}`
              : 'userfaultfd unknown',
        ].join('; ') + '; QEMU guests migrate with QEMU itself',
      ev: [
        kev('CHECKPOINT_RESTORE', 'USERFAULTFD', 'MEM_SOFT_DIRTY'),
        evidence('PATH', criu.path ? `${criu.path}${criu.version ? ` (criu ${criu.version})` : ''}` : 'no criu'),
        ...(check ? [evidence('criu check', check.line)] : []),
      ],
      fix:
        criuUsable === false || crKernel === false
          ? {
              summary: `${criuFix.summary}${softDirty === false ? ' Pre-copy also needs a kernel with CONFIG_MEM_SOFT_DIRTY (a different kernel); post-copy needs only CONFIG_USERFAULTFD.' : ''}`,
              commands: criuFix.commands,
            }
          : {
              summary:
                softDirty === false
                  ? 'Pre-copy migration needs a kernel with CONFIG_MEM_SOFT_DIRTY (a different kernel); use post-copy (criu lazy-pages) here.'
                  : 'Nothing to fix.',
            },
    },
  ]
}

export const osFeaturesProbe: Probe = {
  id: 'os-features',
  area: 'os-features',
  reads: ['/proc/config.gz', '/proc/filesystems', '/proc/self/ns', '/proc/self/mountinfo', '/sys/fs/cgroup/*', 'PATH (criu)'],
  runs: [
    ['criu', '--version'],
    ['criu', 'check'],
  ],
  async check(host, env = { kernelCacheDirs: [] }) {
    return (await rows(host, env)).map(toFinding)
  },
}
