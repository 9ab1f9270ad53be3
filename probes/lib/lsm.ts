/** Linux security modules: the active list (securityfs) or, where it is not mounted, the signs of each. */
import type { Host } from '../../src/core/host.js'
import { exists, text } from './facts.js'

/** The active Linux security modules, from securityfs or, when it is not mounted, the modules present. */
export const activeLsms = async (host: Host): Promise<{ names: string[]; source: string; fromSecurityfs: boolean }> => {
  const lsm = await text(host, '/sys/kernel/security/lsm')
  if (lsm?.trim()) return { names: lsm.trim().split(',').filter(Boolean), source: '/sys/kernel/security/lsm', fromSecurityfs: true }
  const [aa, selinux, smack, yama] = await Promise.all([
    text(host, '/sys/module/apparmor/parameters/enabled'),
    exists(host, '/sys/fs/selinux/enforce'),
    exists(host, '/sys/fs/smackfs/load2'),
    exists(host, '/proc/sys/kernel/yama/ptrace_scope'),
  ])
  const names = [
    ...(aa?.trim() === 'Y' ? ['apparmor'] : []),
    ...(selinux ? ['selinux'] : []),
    ...(smack ? ['smack'] : []),
    ...(yama ? ['yama'] : []),
  ]
  return {
    names,
    source: 'securityfs not mounted; /sys/module/apparmor, /sys/fs/selinux, /sys/fs/smackfs, /proc/sys/kernel/yama',
    fromSecurityfs: false,
  }
}
