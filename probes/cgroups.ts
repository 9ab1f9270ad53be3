/**
 * cgroups: v1, v2 or hybrid (statfs magic, as systemd and moby do), controllers available and
 * enabled, and whether this user can create/limit cgroups (root, or a delegated v2 subtree).
 * freezer/devices are pseudo-controllers on v2 and are never failed from cgroup.controllers.
 */
import { evidence, fail, pass, unknown, warn, type Evidence, type Finding } from '../src/core/finding.js'
import type { Host } from '../src/core/host.js'
import {
  cgroupModeFromMounts,
  cgroupModeFromStatfs,
  parseCgroupMounts,
  parseControllerList,
  parseProcCgroups,
  parseSelfCgroup,
  type CgroupMode,
} from '../src/parse/cgroup.js'
import { parseMountinfo, type Mount } from '../src/parse/mountinfo.js'
import type { Probe } from './types.js'
import { memo, statOf, text } from './lib/facts.js'

export interface CgroupView {
  readonly mode: CgroupMode | undefined
  readonly evidence: Evidence[]
  readonly mounts: Mount[]
  /** Where the v2 hierarchy is mounted (/sys/fs/cgroup or /sys/fs/cgroup/unified). */
  readonly v2Root: string | undefined
}

export const cgroupView = (host: Host): Promise<CgroupView> =>
  memo(host, 'cgroup-view', async () => {
    const [root, unified, mi] = await Promise.all([
      host.statfs('/sys/fs/cgroup'),
      host.statfs('/sys/fs/cgroup/unified'),
      text(host, '/proc/self/mountinfo'),
    ])
    const mounts = mi ? parseMountinfo(mi).filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2') : []
    const ev: Evidence[] = []
    let mode = cgroupModeFromStatfs(root.kind === 'ok' ? root.fsType : undefined, unified.kind === 'ok' ? unified.fsType : undefined)
    if (root.kind === 'ok')
      ev.push(
        evidence(
          'statfs(/sys/fs/cgroup)',
          `f_type 0x${root.fsType.toString(16)}${unified.kind === 'ok' ? `; /sys/fs/cgroup/unified 0x${unified.fsType.toString(16)}` : ''}`,
        ),
      )
    if (mode === undefined && mi) {
      mode = cgroupModeFromMounts(mounts.map((m) => m.fsType))
      ev.push(
        evidence(
          '/proc/self/mountinfo',
          `${mounts.filter((m) => m.fsType === 'cgroup').length} cgroup v1 mounts, ${mounts.filter((m) => m.fsType === 'cgroup2').length} cgroup2 mounts`,
        ),
      )
    }
    const v2 = parseCgroupMounts(mi ?? '').v2Mount
    return {
      mode,
      evidence: ev,
      mounts,
      v2Root: v2 ?? (mode === 'v2' ? '/sys/fs/cgroup' : mode === 'hybrid' ? '/sys/fs/cgroup/unified' : undefined),
    }
  })

/** Controllers a container tier needs: name -> v1 name(s). */
const NEEDED = { cpu: 'cpu', memory: 'memory', pids: 'pids' } as const
const USEFUL = { cpuset: 'cpuset', io: 'blkio' } as const

/**
 * Controllers a container runtime can set limits with. In hybrid mode runc and crun write limits
 * through the v1 hierarchies only, so a controller bound to the v2 mount alone (hugetlb here) is not
 * usable for limits: it is reported in `v2Only`, not in `names`.
 */
export const controllersAvailable = (host: Host): Promise<{ names: Set<string>; v2Only: Set<string>; ev: Evidence[] }> =>
  memo(host, 'cgroup-controllers', async () => {
    const v = await cgroupView(host)
    const names = new Set<string>()
    const v2Only = new Set<string>()
    const ev: Evidence[] = []
    if (v.mode === 'v1' || v.mode === 'hybrid') {
      const pc = await text(host, '/proc/cgroups')
      if (pc) {
        const v1 = parseProcCgroups(pc)
        // hierarchy 0 means the controller is not bound to any v1 hierarchy (free for v2, or unused).
        for (const c of v1) if (c.enabled && c.hierarchy > 0) names.add(c.name === 'blkio' ? 'io' : c.name)
        ev.push(
          evidence(
            '/proc/cgroups',
            v1
              .filter((c) => c.enabled && c.hierarchy > 0)
              .map((c) => c.name)
              .join(' ') || 'none bound',
          ),
        )
      }
    }
    if (v.v2Root) {
      const c = await text(host, `${v.v2Root}/cgroup.controllers`)
      if (c !== undefined) {
        for (const n of parseControllerList(c)) (v.mode === 'hybrid' && !names.has(n) ? v2Only : names).add(n)
        ev.push(
          evidence(
            `${v.v2Root}/cgroup.controllers`,
            `${c.trim() || '(empty)'}${v.mode === 'hybrid' && v2Only.size ? ` (bound only to the v2 mount: ${[...v2Only].join(' ')})` : ''}`,
          ),
        )
      }
    }
    return { names, v2Only, ev }
  })

const modeFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'cgroups.mode', area: 'cgroups', title: 'cgroup hierarchy (v1 / v2 / hybrid)' } as const
  const v = await cgroupView(host)
  if (v.mode === undefined) return unknown({ ...head, facts: { mode: null } }, 'cannot tell the cgroup mode', v.evidence)
  if (v.mode === 'none')
    return fail({ ...head, facts: { mode: 'none' } }, 'no cgroup file system mounted', v.evidence, {
      summary: 'Mount cgroup2 at /sys/fs/cgroup.',
      commands: ['mount -t cgroup2 none /sys/fs/cgroup'],
    })
  if (v.mode === 'hybrid')
    return warn(
      { ...head, facts: { mode: 'hybrid' } },
      'hybrid: v1 controller hierarchies plus a v2 mount at /sys/fs/cgroup/unified',
      v.evidence,
      {
        summary:
          'crun refuses hybrid mode while any controller is bound to v2 ("cgroups in hybrid mode not supported"); use runc, or boot with systemd.unified_cgroup_hierarchy=1 for pure v2.',
      },
    )
  return pass({ ...head, facts: { mode: v.mode } }, v.mode === 'v2' ? 'unified (cgroup v2)' : 'legacy (cgroup v1 only)', v.evidence)
}

const controllersFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'cgroups.controllers', area: 'cgroups', title: 'cgroup controllers for resource limits' } as const
  const { names, v2Only, ev } = await controllersAvailable(host)
  const missing = Object.keys(NEEDED).filter((n) => !names.has(n))
  const missingUseful = Object.keys(USEFUL).filter((n) => !names.has(n))
  const facts = { controllers: [...names].sort().join(','), v2OnlyControllers: [...v2Only].sort().join(',') }
  const v2Note = v2Only.size
    ? `; ${[...v2Only].sort().join(', ')} bound only to the v2 mount (hybrid): runc and crun cannot set ${v2Only.size > 1 ? 'those limits' : 'that limit'}`
    : ''
  if (ev.length === 0) return unknown({ ...head, facts }, 'cannot read the controller lists', [])
  if (missing.length)
    return fail({ ...head, facts }, `missing ${missing.join(', ')}: containers cannot be limited`, ev, {
      summary: `Enable the controller(s) in the kernel config (CONFIG_MEMCG, CONFIG_CGROUP_SCHED, CONFIG_CGROUP_PIDS) or on the command line (cgroup_enable=memory), and on v2 add them to cgroup.subtree_control.`,
    })
  if (missingUseful.length)
    return warn({ ...head, facts }, `cpu, memory, pids available; missing ${missingUseful.join(', ')}${v2Note}`, ev, {
      summary: 'IO limits need the io (v2) / blkio (v1) controller; CPU pinning needs cpuset.',
    })
  return pass({ ...head, facts }, `available: ${[...names].sort().join(' ')}${v2Note}`, ev)
}

const delegationFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'cgroups.delegation', area: 'cgroups', title: 'Can this user create and limit cgroups?' } as const
  const v = await cgroupView(host)
  const roMounts = v.mounts.filter((m) => m.options.split(',').includes('ro'))
  if (host.identity.uid === 0) {
    if (roMounts.length)
      return fail(
        { ...head, facts: { writable: false } },
        `cgroup file systems are mounted read-only (${roMounts.map((m) => m.mountPoint).join(', ')})`,
        [evidence('/proc/self/mountinfo', roMounts.map((m) => `${m.mountPoint} ro`).join('; '))],
        {
          summary: 'Inside a container: run it with --privileged or --cgroupns=private plus a writable cgroup mount.',
        },
      )
    return pass({ ...head, facts: { writable: true } }, 'root, cgroup mounts are read-write', [
      evidence('/proc/self/mountinfo', 'cgroup mounts rw'),
    ])
  }
  const self = parseSelfCgroup((await text(host, '/proc/self/cgroup')) ?? '')
  const own = self.find((l) => l.hierarchy === 0)
  if (!v.v2Root || !own || v.mode !== 'v2')
    return warn(
      { ...head, facts: { writable: false } },
      `not root and no delegated cgroup v2 subtree (${v.mode ?? 'unknown'} mode): limits need root`,
      [evidence('/proc/self/cgroup', own ? own.path : 'no v2 entry')],
      {
        summary: 'Run as root, or use a pure cgroup v2 host with systemd user delegation (Delegate=yes for user@.service).',
      },
    )
  // Rootless engines create cgroups under the user's session: the delegated subtree is user@UID.service.
  const path = own.path.replace(/\/(app|session)\.slice\/.*$/, '').replace(/\/[^/]+\.scope$/, '')
  const dir = `${v.v2Root}${path}`
  const [st, ctl] = await Promise.all([statOf(host, dir), text(host, `${dir}/cgroup.controllers`)])
  const ev = [
    evidence('/proc/self/cgroup', own.path),
    evidence(dir, st.kind === 'ok' ? `owner uid ${st.uid}` : st.kind),
    evidence(`${dir}/cgroup.controllers`, ctl?.trim() || '(empty)'),
  ]
  const ctls = parseControllerList(ctl ?? '')
  if (st.kind === 'ok' && st.uid === host.identity.uid) {
    const missing = ['cpu', 'memory', 'pids'].filter((c) => !ctls.includes(c))
    if (missing.length === 0)
      return pass({ ...head, facts: { writable: true, delegated: ctls.join(',') } }, `delegated subtree ${path} with ${ctls.join(' ')}`, ev)
    return warn(
      { ...head, facts: { writable: true, delegated: ctls.join(',') } },
      `delegated subtree ${path}, but without ${missing.join(', ')}`,
      ev,
      {
        summary: 'Delegate more controllers to user sessions.',
        commands: [
          'sudo mkdir -p /etc/systemd/system/user@.service.d',
          'printf "[Service]\\nDelegate=cpu cpuset io memory pids\\n" | sudo tee /etc/systemd/system/user@.service.d/delegate.conf',
          'sudo systemctl daemon-reload',
        ],
      },
    )
  }
  return warn({ ...head, facts: { writable: false } }, `cgroup ${path} is not owned by uid ${host.identity.uid}: no delegation`, ev, {
    summary: 'Log in through systemd-logind (user@UID.service delegates a subtree), or run as root.',
  })
}

export const cgroupsProbe: Probe = {
  id: 'cgroups',
  area: 'cgroups',
  reads: [
    'statfs /sys/fs/cgroup',
    'statfs /sys/fs/cgroup/unified',
    '/proc/self/mountinfo',
    '/proc/cgroups',
    '/sys/fs/cgroup/cgroup.controllers',
    '/proc/self/cgroup',
  ],
  async check(host) {
    return Promise.all([modeFinding(host), controllersFinding(host), delegationFinding(host)])
  },
}
