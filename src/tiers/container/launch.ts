/**
 * The argv that starts a command inside the built-in container: util-linux `unshare` creates pid,
 * mount, uts, ipc and net namespaces (plus a user namespace when unprivileged), then the rootfs's
 * static busybox runs CONTAINER_INIT_SCRIPT, which pivot_roots into the rootfs. A host `sh` waits for
 * one "go" line on stdin first, so the caller can put the process into its cgroups before anything
 * forks (children inherit them); the rest of stdin is the workload's.
 */
import { CONTAINER_INIT_SCRIPT } from './rootfs.js'

export interface LaunchSpec {
  readonly rootfs: string
  readonly scratch: string
  readonly hostname: string
  readonly userns: boolean
  /** Command inside the container, e.g. ['/bin/vcwork', 'agent']. */
  readonly command: readonly string[]
}

export const GO_LINE = 'go\n'

export const containerArgv = (s: LaunchSpec): string[] => [
  '/bin/sh',
  '-c',
  'read -r _go && exec "$@"',
  'vc-gate',
  'unshare',
  '--pid',
  '--fork',
  '--kill-child',
  '--mount',
  '--uts',
  '--ipc',
  '--net',
  '--propagation',
  'private',
  ...(s.userns ? ['--user', '--map-root-user'] : []),
  '--',
  `${s.rootfs}/bin/busybox`,
  'sh',
  '-c',
  CONTAINER_INIT_SCRIPT,
  'vc-init',
  s.rootfs,
  s.scratch,
  s.hostname,
  ...s.command,
]
