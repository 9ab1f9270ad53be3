/**
 * Namespaces: each type present and actually creatable (vcprobe unshare()s each in a child), whether
 * unprivileged users may create user namespaces (sysctls, the Ubuntu AppArmor restriction, and a real
 * unshare as nobody), and subuid/subgid + newuidmap for rootless containers.
 */
import { evidence, fail, pass, skip, unknown, warn, type Evidence, type Finding } from '../src/core/finding.js'
import type { Host } from '../src/core/host.js'
import { parseIntStrict, parsePasswd, parseSubIds } from '../src/parse/kv.js'
import type { Probe } from './types.js'
import { statOf, text, usernsProbe, which } from './lib/facts.js'

const TYPES = ['mnt', 'pid', 'net', 'uts', 'ipc', 'user', 'cgroup', 'time'] as const
const REQUIRED = ['mnt', 'pid', 'net', 'uts', 'ipc'] as const

const typesFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'namespaces.types', area: 'namespaces', title: 'Namespace types (present and creatable)' } as const
  const [ls, probe] = await Promise.all([host.list('/proc/self/ns'), usernsProbe(host)])
  const present = ls.kind === 'ok' ? new Set(ls.entries) : undefined
  const ev: Evidence[] = [evidence('/proc/self/ns', present ? [...present].join(' ') : ls.kind)]
  const created = probe.kind === 'ok' ? probe.value.asSelf : undefined
  if (created)
    ev.push(
      evidence(
        'vcprobe userns (unshare as this user)',
        Object.entries(created)
          .map(([k, v]) => `${k}:${v}`)
          .join(' '),
      ),
    )
  else ev.push(evidence('vcprobe userns', probe.kind === 'ok' ? '' : probe.why))
  if (!present) return unknown(head, `cannot list /proc/self/ns: ${ls.kind}`, ev)
  const absent = TYPES.filter((t) => !present.has(t))
  const missingReq = REQUIRED.filter((t) => !present.has(t))
  // Creating non-user namespaces needs CAP_SYS_ADMIN; for non-root users "EPERM" is expected, not a defect.
  const failedCreate = created && host.identity.uid === 0 ? REQUIRED.filter((t) => created[t] !== undefined && created[t] !== 'ok') : []
  const facts = {
    present: TYPES.filter((t) => present.has(t)).join(','),
    creatable: created
      ? Object.keys(created)
          .filter((k) => created[k] === 'ok')
          .join(',')
      : null,
  }
  if (missingReq.length)
    return fail({ ...head, facts }, `missing ${missingReq.join(', ')} namespaces: containers cannot be isolated`, ev, {
      summary: `Enable CONFIG_${missingReq.map((t) => ({ mnt: 'NAMESPACES', pid: 'PID_NS', net: 'NET_NS', uts: 'UTS_NS', ipc: 'IPC_NS' })[t]).join(', CONFIG_')} in the kernel.`,
    })
  if (failedCreate.length)
    return fail({ ...head, facts }, `present but unshare() fails for ${failedCreate.map((t) => `${t} (${created?.[t]})`).join(', ')}`, ev, {
      summary: 'A seccomp profile or LSM blocks unshare(); inside a container, run it with --privileged or CAP_SYS_ADMIN.',
    })
  return pass(
    { ...head, facts },
    `all present${absent.length ? ` except ${absent.join(', ')}` : ''}${created && host.identity.uid === 0 ? '; each creatable' : ''}`,
    ev,
  )
}

const usernsFinding = async (host: Host): Promise<Finding> => {
  const head = { id: 'namespaces.userns-unprivileged', area: 'namespaces', title: 'User namespaces for unprivileged users' } as const
  const [max, clone, aa, probe] = await Promise.all([
    text(host, '/proc/sys/user/max_user_namespaces'),
    text(host, '/proc/sys/kernel/unprivileged_userns_clone'),
    text(host, '/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
    usernsProbe(host),
  ])
  const ev: Evidence[] = [evidence('/proc/sys/user/max_user_namespaces', max?.trim() ?? 'missing')]
  if (clone !== undefined) ev.push(evidence('/proc/sys/kernel/unprivileged_userns_clone', clone.trim()))
  if (aa !== undefined) ev.push(evidence('/proc/sys/kernel/apparmor_restrict_unprivileged_userns', aa.trim()))
  const blockers: string[] = []
  if (parseIntStrict(max) === 0) blockers.push('max_user_namespaces=0')
  if (parseIntStrict(clone) === 0) blockers.push('unprivileged_userns_clone=0')
  if (parseIntStrict(aa) === 1) blockers.push('AppArmor restricts unprivileged user namespaces')
  let tested: boolean | undefined
  if (probe.kind === 'ok') {
    tested = probe.value.unprivilegedUser === 'ok'
    ev.push(evidence(`unshare(CLONE_NEWUSER) as uid ${probe.value.unprivilegedTestedAs}`, probe.value.unprivilegedUser))
  } else ev.push(evidence('vcprobe userns', probe.why))
  const facts = { allowed: tested ?? (blockers.length === 0 && max !== undefined ? true : null) }
  const fix = {
    summary: 'Allow unprivileged user namespaces (needed by rootless podman/docker, bubblewrap, unprivileged LXC).',
    commands: [
      ...(parseIntStrict(max) === 0 ? ['sysctl -w user.max_user_namespaces=15000'] : []),
      ...(parseIntStrict(clone) === 0 ? ['sysctl -w kernel.unprivileged_userns_clone=1'] : []),
      ...(parseIntStrict(aa) === 1
        ? ['sysctl -w kernel.apparmor_restrict_unprivileged_userns=0   # or an AppArmor profile granting "userns,"']
        : []),
    ],
  }
  if (tested === true)
    return pass(
      { ...head, facts },
      `allowed (unshare(CLONE_NEWUSER) succeeded as uid ${probe.kind === 'ok' ? probe.value.unprivilegedTestedAs : '?'})`,
      ev,
    )
  if (tested === false)
    return fail({ ...head, facts }, `denied${blockers.length ? `: ${blockers.join(', ')}` : ' (seccomp or LSM policy)'}`, ev, fix)
  if (blockers.length) return fail({ ...head, facts }, `denied: ${blockers.join(', ')}`, ev, fix)
  if (max === undefined) return unknown({ ...head, facts }, 'cannot read the user namespace limits', ev)
  return pass({ ...head, facts }, 'allowed by the sysctls (not tested by unshare)', ev)
}

const subidFinding = async (host: Host): Promise<Finding> => {
  const head = {
    id: 'namespaces.subid',
    area: 'namespaces',
    title: 'Subordinate ids for rootless containers (subuid/subgid, newuidmap)',
  } as const
  const [su, sg, pw, nu, ng] = await Promise.all([
    text(host, '/etc/subuid'),
    text(host, '/etc/subgid'),
    text(host, '/etc/passwd'),
    which(host, 'newuidmap'),
    which(host, 'newgidmap'),
  ])
  const uid = host.identity.uid
  const name = parsePasswd(pw ?? '').get(uid)
  const mine = (t: string | undefined) => parseSubIds(t ?? '').filter((r) => r.owner === name || r.owner === String(uid))
  // newgidmap is stat'ed too so snapshots record it; the verdict reads newuidmap's mode.
  const [nuSt] = await Promise.all([nu ? statOf(host, nu) : undefined, ng ? statOf(host, ng) : undefined])
  const setuidOk = (s: typeof nuSt) => s !== undefined && s.kind === 'ok' && (s.mode & 0o4000) !== 0 && s.uid === 0
  const ev: Evidence[] = [
    evidence(
      '/etc/subuid',
      su === undefined ? 'missing' : `${parseSubIds(su).length} entries${name ? `, ${mine(su).length} for ${name}` : ''}`,
    ),
    evidence(
      '/etc/subgid',
      sg === undefined ? 'missing' : `${parseSubIds(sg).length} entries${name ? `, ${mine(sg).length} for ${name}` : ''}`,
    ),
    evidence(
      'newuidmap/newgidmap',
      nu && ng ? `${nu} ${setuidOk(nuSt) ? 'setuid root' : 'not setuid (file capabilities?)'}` : 'not installed',
    ),
  ]
  if (uid === 0)
    return skip({ ...head, facts: { rootless: null } }, 'running as root: rootless containers are checked for non-root users', ev)
  const ok = mine(su).length > 0 && mine(sg).length > 0
  if (!nu || !ng)
    return warn({ ...head, facts: { rootless: false } }, 'newuidmap/newgidmap missing: rootless containers get a single-uid mapping', ev, {
      summary: 'Install the uidmap package.',
      commands: ['sudo apt-get install uidmap'],
    })
  if (!ok)
    return warn({ ...head, facts: { rootless: false } }, `no subordinate id range for ${name ?? `uid ${uid}`}`, ev, {
      summary: 'Give the user a subordinate id range.',
      commands: [`sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${name ?? '$USER'}`],
    })
  return pass({ ...head, facts: { rootless: true } }, `${name ?? uid} has subuid and subgid ranges; newuidmap present`, ev)
}

export const namespacesProbe: Probe = {
  id: 'namespaces',
  area: 'namespaces',
  reads: [
    '/proc/self/ns',
    '/proc/sys/user/max_user_namespaces',
    '/proc/sys/kernel/unprivileged_userns_clone',
    '/proc/sys/kernel/apparmor_restrict_unprivileged_userns',
    '/etc/subuid',
    '/etc/subgid',
    '/etc/passwd',
  ],
  runs: [['@vcprobe', 'userns']],
  async check(host) {
    return Promise.all([typesFinding(host), usernsFinding(host), subidFinding(host)])
  },
}
