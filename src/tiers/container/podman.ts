/**
 * The podman tier: `podman run --rootfs` of virtcheck's rootfs with runc and cgroupfs. Hosts without
 * CAP_SYS_RESOURCE cannot raise podman's default rlimits (nofile 1048576), so the limits are lowered
 * to what the host allows (measured on a host without it: podman run fails otherwise); crun fails on hybrid cgroup v1, hence runc.
 */
import { readFile } from 'node:fs/promises'
import { hardNofileLimit } from '../../parse/proc-limits.js'
import { removeNewRuntimeCgroups } from './cgroups.js'
import { ociCliDriver } from './oci-cli.js'
import { resolveTool } from '../../host/tool-path.js'

/**
 * The hard nofile limit this process may hand down (podman must not ask for more). The probe's
 * software.podman finding names the trap but not the number, so it is read here, with the probe's parser.
 */
const hardNofile = async (): Promise<string> => {
  const n = Number(hardNofileLimit(await readFile('/proc/self/limits', 'utf8').catch(() => '')))
  return Number.isFinite(n) && n > 0 ? String(Math.min(n, 1_048_576)) : '1024'
}

/** Every podman call of the tier (and of `virtcheck cleanup`, which must see the same containers). */
export const PODMAN_GLOBAL_FLAGS = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'] as const

export const podmanDriver = ociCliDriver({
  id: 'podman',
  binary: 'podman',
  globalFlags: PODMAN_GLOBAL_FLAGS,
  async prepare(ctx, rootfs) {
    const nofile = await hardNofile()
    // podman (cgroupfs manager) leaves empty `libpod_parent` cgroups; removed afterwards unless they predate us.
    ctx.cleanup.add('podman: empty libpod_parent cgroups', await removeNewRuntimeCgroups('libpod_parent'))
    // vcwork fixes its own address layout with personality(2), which podman's default seccomp profile
    // refuses. podman has no daemon: conmon, runc and the agent descend from this CLI and inherit its
    // personality, so the CLI is started with randomisation off (util-linux setarch) instead.
    const setarch = resolveTool('setarch')
    return {
      source: ['--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', 'nproc=4096:4096', '--rootfs', rootfs],
      notes: { ociRuntime: 'runc', cgroupManager: 'cgroupfs', rlimits: `nofile ${nofile}, nproc 4096 (host lacks CAP_SYS_RESOURCE)` },
      ...(setarch ? { launcher: [setarch, '-R'] } : {}),
    }
  },
})
