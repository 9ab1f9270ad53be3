/** The command lines the hostile tests spawn the CLI with, named once. */

/** node's arguments that run the CLI from source (as `node ENTRY ...args`). */
export const ENTRY = ['--import', 'tsx', 'src/cli/entry.ts']

/** The smallest real run: native only, one job, two repetitions (`bench ...QUICK_RUN`). */
export const QUICK_RUN = ['--tiers', 'native', '--jobs', 'sys.syscall', '--reps', '2']

/**
 * `unshare` arguments: a private mount namespace where `script` prepares the mounts and ends with
 * `exec "$0" "$@"`, which runs `node ENTRY ...args` there.
 */
export const inPrivateMounts = (script: string, args: readonly string[]): string[] => [
  '-m',
  '--propagation',
  'private',
  'sh',
  '-c',
  script,
  'node',
  ...ENTRY,
  ...args,
]
