/**
 * Kernel pieces container engines need beyond namespaces and cgroups, as Docker's check-config.sh and
 * lxc-checkconfig list them: seccomp filters, the active security modules, POSIX message queues
 * (runc mounts /dev/mqueue in every default OCI container), CGROUP_BPF (device control on cgroup v2),
 * keyrings, swap accounting, the pieces of container NAT and the optional network drivers. Each from the
 * kernel config plus what the running kernel shows (/proc, /sys), with a fix that works on this host.
 */
import { evidence, pass, unknown, warn, type Evidence, type Finding } from '../src/core/finding.js'
import type { Host } from '../src/core/host.js'
import { kconfigEnabled, type Kconfig } from '../src/parse/kconfig.js'
import { parseFilesystems } from '../src/parse/kv.js'
import { unifiedCgroupPath } from '../src/parse/cgroup.js'
import type { Probe } from './types.js'
import { cgroupView } from './cgroups.js'
import { cmdline, exists, kconfig, text, which, type Got } from './lib/facts.js'
import { activeLsms } from './lib/lsm.js'

const head = (id: string, title: string) => ({ id: `os-features.${id}`, area: 'os-features', title }) as const

/** `NAME=y` list for evidence. */
const kev = (cfg: Got<Kconfig>, names: readonly string[]): Evidence =>
  evidence(
    cfg.kind === 'ok' ? cfg.source : 'kernel config',
    cfg.kind === 'ok' ? names.map((n) => `${n}=${cfg.value.get(n) ?? 'not set'}`).join(' ') : cfg.why,
  )
const on = (cfg: Got<Kconfig>, name: string): boolean | undefined =>
  cfg.kind === 'ok' ? (kconfigEnabled(cfg.value, name) ?? false) : undefined
const differentKernel = (opts: readonly string[]) => ({
  summary: `This kernel was built without ${opts.map((o) => `CONFIG_${o}`).join(', ')}: that needs a different kernel (one built with ${opts.length > 1 ? 'them' : 'it'}).`,
})

const seccomp = async (host: Host, cfg: Got<Kconfig>): Promise<Finding> => {
  const h = head('seccomp', 'Seccomp filters (default container syscall profiles)')
  const line = /^Seccomp:\s*(\d)/m.exec((await text(host, '/proc/self/status')) ?? '')?.[1]
  const ev = [
    kev(cfg, ['SECCOMP', 'SECCOMP_FILTER']),
    evidence(
      '/proc/self/status',
      line === undefined
        ? 'no Seccomp line (kernel without CONFIG_SECCOMP)'
        : `Seccomp: ${line}${line === '2' ? ' (this process is filtered)' : ''}`,
    ),
  ]
  const filter = on(cfg, 'SECCOMP_FILTER')
  if (filter === true || line === '2')
    return pass({ ...h, facts: { seccompFilter: true } }, 'available: engines apply their default syscall profile', ev)
  if (filter === false || line === undefined)
    return warn(
      { ...h, facts: { seccompFilter: false } },
      'not available: containers run without a syscall filter (docker and podman refuse their default profile)',
      ev,
      differentKernel(['SECCOMP', 'SECCOMP_FILTER']),
    )
  return unknown({ ...h, facts: { seccompFilter: null } }, 'cannot tell: kernel config unreadable', ev)
}

const lsm = async (host: Host, cfg: Got<Kconfig>): Promise<Finding> => {
  const h = head('lsm', 'Linux security modules (AppArmor / SELinux confinement of containers)')
  const [l, parser] = await Promise.all([activeLsms(host), which(host, 'apparmor_parser')])
  const compiled = cfg.kind === 'ok' ? cfg.value.get('LSM') : undefined
  const ev = [
    evidence(l.source, l.names.join(', ') || 'no AppArmor, SELinux, Smack or Yama signs'),
    ...(compiled
      ? [evidence(cfg.kind === 'ok' ? cfg.source : 'kernel config', `LSM="${compiled}" (compiled-in order, not necessarily active)`)]
      : []),
  ]
  const confining = l.names.filter((n) => ['apparmor', 'selinux', 'smack', 'tomoyo'].includes(n))
  const facts = { active: l.names.join(',') || null, confining: confining.join(',') || null }
  // check-config.sh: with AppArmor on, engines need apparmor_parser to load their profile.
  if (confining.includes('apparmor') && !parser)
    return warn(
      { ...h, facts },
      'AppArmor is enabled but apparmor_parser is missing: docker and podman cannot load their default profile',
      [...ev, evidence('PATH', 'no apparmor_parser')],
      { summary: 'Install the AppArmor tools.', commands: ['sudo apt-get install apparmor'] },
    )
  if (confining.length)
    return pass({ ...h, facts }, `active: ${l.names.join(', ')} (containers get ${confining.join('/')} confinement)`, ev)
  if (l.fromSecurityfs)
    return pass(
      { ...h, facts },
      `no confining LSM active (active: ${l.names.join(', ') || 'none'}): containers are isolated by namespaces, capabilities and seccomp only`,
      ev,
    )
  return pass(
    { ...h, facts },
    'no AppArmor, SELinux or Smack interface visible: containers get no profile confinement from this host; securityfs is not mounted, so the active list itself (landlock, lockdown, bpf ...) cannot be read',
    ev,
  )
}

const mqueue = async (host: Host, cfg: Got<Kconfig>): Promise<Finding> => {
  const h = head('posix-mqueue', 'POSIX message queues (/dev/mqueue in OCI containers)')
  const [fsText, sys] = await Promise.all([text(host, '/proc/filesystems'), exists(host, '/proc/sys/fs/mqueue')])
  const fs = parseFilesystems(fsText ?? '')
  const ev = [
    kev(cfg, ['POSIX_MQUEUE']),
    evidence('/proc/filesystems', fs.has('mqueue') ? 'mqueue' : 'no mqueue'),
    evidence('/proc/sys/fs/mqueue', sys ? 'present' : 'missing'),
  ]
  if (fs.has('mqueue') || on(cfg, 'POSIX_MQUEUE'))
    return pass({ ...h, facts: { mqueue: true } }, 'available (mqueue file system registered)', ev)
  if (fsText === undefined && cfg.kind !== 'ok')
    return unknown({ ...h, facts: { mqueue: null } }, 'cannot tell: neither /proc/filesystems nor the kernel config readable', ev)
  return warn(
    { ...h, facts: { mqueue: false } },
    'not available: default OCI containers fail to start (runc mounts mqueue at /dev/mqueue)',
    ev,
    differentKernel(['POSIX_MQUEUE']),
  )
}

const cgroupBpf = async (host: Host, cfg: Got<Kconfig>): Promise<Finding> => {
  const h = head('cgroup-bpf', 'CGROUP_BPF (device access control on cgroup v2)')
  const v = await cgroupView(host)
  const bpf = on(cfg, 'CGROUP_BPF')
  const ev = [kev(cfg, ['CGROUP_BPF', 'BPF_SYSCALL']), evidence('cgroup mode', v.mode ?? 'unknown')]
  if (bpf === true)
    return pass(
      { ...h, facts: { cgroupBpf: true } },
      `available: runtimes can restrict device access on cgroup v2${v.mode === 'v2' ? '' : ` (this ${v.mode ?? ''} host uses the v1 devices controller today)`}`,
      ev,
    )
  if (bpf === undefined) return unknown({ ...h, facts: { cgroupBpf: null } }, 'cannot tell: kernel config unreadable', ev)
  if (v.mode === 'v2')
    return warn(
      { ...h, facts: { cgroupBpf: false } },
      'not available on a cgroup v2 host: runc and crun cannot restrict device access (containers fail or run unrestricted)',
      ev,
      differentKernel(['CGROUP_BPF']),
    )
  return warn(
    { ...h, facts: { cgroupBpf: false } },
    `not available: fine while devices is a v1 controller (${v.mode ?? 'unknown'} mode), a blocker on pure cgroup v2`,
    ev,
    differentKernel(['CGROUP_BPF']),
  )
}

const keys = async (host: Host, cfg: Got<Kconfig>): Promise<Finding> => {
  const h = head('keys', 'Kernel keyrings (KEYS: per-container session keyrings)')
  const proc = await exists(host, '/proc/keys')
  const ev = [kev(cfg, ['KEYS']), evidence('/proc/keys', proc ? 'present' : 'missing')]
  if (proc || on(cfg, 'KEYS'))
    return pass({ ...h, facts: { keys: true } }, 'available: runc gives each container its own session keyring', ev)
  if (cfg.kind !== 'ok') return unknown({ ...h, facts: { keys: null } }, 'cannot tell: kernel config unreadable and /proc/keys missing', ev)
  return warn(
    { ...h, facts: { keys: false } },
    'not available: runc fails to create the session keyring (set "noNewKeyring" per container as a workaround)',
    ev,
    differentKernel(['KEYS']),
  )
}

const swapAccounting = async (host: Host, cfg: Got<Kconfig>): Promise<Finding> => {
  const h = head('swap-accounting', 'Swap accounting (memory+swap limits, --memory-swap)')
  const [v, cl, swaps] = await Promise.all([cgroupView(host), cmdline(host), text(host, '/proc/swaps')])
  const off = cl.get('swapaccount') === '0' || cl.get('cgroup.memory') === 'noswap'
  const file = v.mode === 'v2' ? undefined : '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes'
  const v1Has = file ? await exists(host, file) : false
  // on v2 the root cgroup has no memory.swap.max: look in this process's own cgroup or a child slice
  const self = unifiedCgroupPath((await text(host, '/proc/self/cgroup')) ?? '')
  const v2Files = v.mode === 'v2' && v.v2Root ? [`${v.v2Root}${self && self !== '/' ? self : '/system.slice'}/memory.swap.max`] : []
  const v2Has = (await Promise.all(v2Files.map((f) => exists(host, f)))).some(Boolean)
  const swapOn = (swaps ?? '').trim().split('\n').length > 1
  const ev = [
    kev(cfg, ['MEMCG', 'SWAP']),
    ...(file ? [evidence(file, v1Has ? 'present' : 'missing')] : []),
    ...v2Files.map((f) => evidence(f, v2Has ? 'present' : 'missing')),
    evidence('/proc/cmdline', off ? 'swap accounting disabled (swapaccount=0 / cgroup.memory=noswap)' : 'no swapaccount=0'),
    evidence('/proc/swaps', swapOn ? 'swap in use' : 'no swap device'),
  ]
  const facts = { swapAccounting: v1Has || v2Has, swapInUse: swapOn }
  if (v1Has || v2Has)
    return pass({ ...h, facts }, `available${swapOn ? '' : ' (no swap device is active, so swap limits have nothing to limit yet)'}`, ev)
  if (off)
    return warn({ ...h, facts }, 'disabled on the kernel command line: --memory-swap limits are ignored', ev, {
      summary: 'Remove swapaccount=0 / cgroup.memory=noswap from the kernel command line and reboot.',
    })
  if (on(cfg, 'MEMCG') === false || on(cfg, 'SWAP') === false)
    return warn({ ...h, facts }, 'not available: --memory-swap limits are ignored', ev, differentKernel(['MEMCG', 'SWAP']))
  return unknown({ ...h, facts }, 'cannot tell: no memory+swap control file found', ev)
}

/** The pieces of docker/podman/lxc bridge networking with NAT to the outside. */
const NAT = [
  ['BRIDGE', 'bridge'],
  ['BRIDGE_NETFILTER', 'bridge netfilter'],
  ['VETH', 'veth'],
  ['NF_CONNTRACK', 'conntrack'],
  ['NF_NAT', 'NAT'],
  ['NETFILTER_XT_MATCH_ADDRTYPE', 'addrtype match'],
  ['NETFILTER_XT_MATCH_CONNTRACK', 'conntrack match'],
] as const
const MASQ = ['IP_NF_TARGET_MASQUERADE', 'NETFILTER_XT_TARGET_MASQUERADE', 'NFT_MASQ'] as const

const containerNat = async (host: Host, cfg: Got<Kconfig>): Promise<Finding> => {
  const h = head('container-nat', 'Container NAT networking (bridge netfilter, masquerade)')
  const [brnf, fwd] = await Promise.all([
    exists(host, '/proc/sys/net/bridge/bridge-nf-call-iptables'),
    text(host, '/proc/sys/net/ipv4/ip_forward'),
  ])
  const ev = [
    kev(cfg, [...NAT.map(([o]) => o), ...MASQ]),
    evidence('/proc/sys/net/bridge', brnf ? 'bridge-nf-call-iptables present (br_netfilter active)' : 'missing (br_netfilter not loaded)'),
    evidence('/proc/sys/net/ipv4/ip_forward', fwd?.trim() ?? 'unreadable'),
  ]
  if (cfg.kind !== 'ok') return unknown({ ...h, facts: { nat: null } }, 'cannot tell: kernel config unreadable', ev)
  const missing: { o: string; w: string }[] = NAT.filter(([o]) => on(cfg, o) === false).map(([o, w]) => ({ o, w }))
  if (!MASQ.some((o) => on(cfg, o))) missing.push({ o: 'IP_NF_TARGET_MASQUERADE', w: 'masquerade' })
  const modules = [...NAT.map(([o]) => o), ...MASQ].filter((o) => cfg.value.get(o) === 'm')
  const facts = { nat: missing.length === 0, missing: missing.map((m) => m.o).join(',') || null }
  if (missing.length)
    return warn(
      { ...h, facts },
      `not available: missing ${missing.map((m) => m.w).join(', ')}; engines need --network host or none (or slirp4netns/pasta user-mode networking)`,
      ev,
      differentKernel(missing.map((m) => m.o)),
    )
  const notes = [
    fwd?.trim() === '0' ? 'ip_forward is 0 (engines turn it on when they start)' : '',
    modules.length && !brnf ? `${modules.length} pieces are modules (loaded on demand)` : '',
  ].filter(Boolean)
  return pass(
    { ...h, facts },
    `available: bridge, bridge netfilter, veth, conntrack, NAT and masquerade${notes.length ? `; ${notes.join('; ')}` : ''}`,
    ev,
  )
}

const NET_DRIVERS = [
  ['VLAN_8021Q', 'vlan'],
  ['MACVLAN', 'macvlan'],
  ['IPVLAN', 'ipvlan'],
  ['DUMMY', 'dummy'],
  ['VXLAN', 'vxlan'],
] as const

const networkDrivers = async (_host: Host, cfg: Got<Kconfig>): Promise<Finding> => {
  const h = head('network-drivers', 'Optional network drivers (vlan, macvlan, ipvlan, dummy, vxlan)')
  const ev = [
    kev(
      cfg,
      NET_DRIVERS.map(([o]) => o),
    ),
  ]
  if (cfg.kind !== 'ok') return unknown({ ...h, facts: { missing: null } }, 'cannot tell: kernel config unreadable', ev)
  const have = NET_DRIVERS.filter(([o]) => on(cfg, o)).map(([, w]) => w)
  const missing = NET_DRIVERS.filter(([o]) => !on(cfg, o))
  const facts = { available: have.join(',') || null, missing: missing.map(([, w]) => w).join(',') || null }
  if (missing.length === 0) return pass({ ...h, facts }, `all available: ${have.join(', ')}`, ev)
  return warn(
    { ...h, facts },
    `available: ${have.join(', ') || 'none'}; missing: ${missing.map(([, w]) => w).join(', ')} (only docker/podman networks of those drivers and overlay networks need them; bridge networking does not)`,
    ev,
    differentKernel(missing.map(([o]) => o)),
  )
}

export const containerKernelProbe: Probe = {
  id: 'container-kernel',
  area: 'os-features',
  reads: [
    '/proc/config.gz',
    '/proc/self/status',
    '/sys/kernel/security/lsm',
    '/sys/module/apparmor',
    '/proc/filesystems',
    '/proc/sys/fs/mqueue',
    '/proc/keys',
    '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes',
    '/proc/swaps',
    '/proc/sys/net/bridge',
    '/proc/sys/net/ipv4/ip_forward',
  ],
  async check(host) {
    const cfg = await kconfig(host)
    return Promise.all([
      seccomp(host, cfg),
      lsm(host, cfg),
      mqueue(host, cfg),
      cgroupBpf(host, cfg),
      keys(host, cfg),
      swapAccounting(host, cfg),
      containerNat(host, cfg),
      networkDrivers(host, cfg),
    ])
  },
}
