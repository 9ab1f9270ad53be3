/**
 * The minimal root file system every container tier uses: static busybox (a few applets linked),
 * static vcwork, empty mount targets for /dev nodes (bound from the host inside the container, which
 * also works in a user namespace where mknod does not), /proc, /sys, /tmp and /scratch. Built fresh
 * under the run's work dir and removed with it.
 */
import { chmod, copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Cleanup } from '../../core/cleanup.js'

export const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox', '/usr/lib/initramfs-tools/bin/busybox']
export const DEV_NODES = ['null', 'zero', 'random', 'urandom', 'tty', 'full'] as const
const APPLETS = ['sh', 'mount', 'umount', 'pivot_root', 'hostname', 'ip', 'mkdir', 'cat', 'ls', 'echo', 'sleep', 'ps', 'id', 'true']

/** A dynamically linked busybox would not run inside the rootfs; its ELF carries an interpreter path. */
export const looksStatic = (head: Uint8Array): boolean => !Buffer.from(head).includes('ld-linux')

export const findStaticBusybox = async (): Promise<string | undefined> => {
  for (const p of BUSYBOX_CANDIDATES) {
    const head = await readFile(p)
      .then((b) => b.subarray(0, 65536))
      .catch(() => undefined)
    if (head && head[0] === 0x7f && looksStatic(head)) return p
  }
  return undefined
}

export interface Rootfs {
  readonly dir: string
  readonly busybox: string
}

export const buildRootfs = async (dir: string, vcwork: string, cleanup: Cleanup): Promise<Rootfs> => {
  const busybox = await findStaticBusybox()
  if (!busybox) throw new Error('no static busybox found (install busybox-static: `virtcheck setup`)')
  cleanup.add(`container rootfs ${dir}`, () => rm(dir, { recursive: true, force: true }))
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'scratch', 'etc', '.oldroot']) await mkdir(join(dir, d), { recursive: true })
  await copyFile(busybox, join(dir, 'bin/busybox'))
  await chmod(join(dir, 'bin/busybox'), 0o755)
  for (const a of APPLETS) await symlink('busybox', join(dir, 'bin', a)).catch(() => undefined)
  await copyFile(vcwork, join(dir, 'bin/vcwork'))
  await chmod(join(dir, 'bin/vcwork'), 0o755)
  for (const n of DEV_NODES) await writeFile(join(dir, 'dev', n), '')
  await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n')
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n')
  return { dir, busybox }
}

/**
 * The script busybox runs inside the new namespaces, before the workload: make the rootfs a mount
 * point, bind the dev nodes and the scratch dir, pivot_root into it, mount /proc (new pid ns), /sys
 * (new net ns) and /tmp, detach the old root, set the hostname, bring lo up, exec the command.
 * Positional args: $1 rootfs, $2 scratch dir, $3 hostname, then the command.
 */
export const CONTAINER_INIT_SCRIPT = [
  'set -e',
  'R="$1"; S="$2"; H="$3"; shift 3',
  'mount --make-rprivate / 2>/dev/null || true',
  'mount --bind "$R" "$R"',
  `for d in ${DEV_NODES.join(' ')}; do mount --bind "/dev/$d" "$R/dev/$d" 2>/dev/null || true; done`,
  'mount --bind "$S" "$R/scratch"',
  'cd "$R"',
  'pivot_root . .oldroot',
  // the rootfs's own tools from here on, whatever PATH the host process had
  'export PATH=/usr/sbin:/usr/bin:/sbin:/bin',
  'cd /',
  'mount -t proc proc /proc',
  'mount -t sysfs -o ro sysfs /sys 2>/dev/null || true',
  'mount -t tmpfs -o size=64m tmpfs /tmp',
  'umount -l /.oldroot',
  'hostname "$H"',
  'ip link set lo up 2>/dev/null || true',
  'exec "$@"',
].join('\n')
