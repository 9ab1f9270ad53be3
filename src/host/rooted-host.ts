/**
 * The host seen through a folder: `--root DIR` reads the host's /proc, /sys, /dev, /etc … mounted under
 * DIR (as NFD's worker reads /host-sys), for probing a node from a container (deploy/kubernetes/).
 *
 * Files, listings, stats and opens get the prefix. What this process cannot do on the host's behalf is
 * never guessed:
 * - /proc/self/{status,limits,uid_map,gid_map} stay this process's own (they describe our privileges);
 *   every other /proc/self/X is the host's PID 1 (DIR/proc/1/X: its mounts, its cgroup).
 * - `vcprobe cpuid` (the CPU is shared) and `dmesg` (one kernel log, needs CAP_SYSLOG) run here;
 *   `vcprobe kvm` opens DIR/dev/kvm (works only where the device cgroup allows it);
 * - anything else (the host's own programs, `vcprobe userns`) is not run: it would report this
 *   container, not the host. It returns an error that `markNotRunnable` turns into `unknown`.
 */
import { promises as fsp } from 'node:fs'
import { join, posix, resolve } from 'node:path'
import type { Finding } from '../core/finding.js'
import { UsageError } from '../core/errors.js'
import type {
  BytesResult,
  CommandOutcome,
  Host,
  HostIdentity,
  ListResult,
  OpenResult,
  ReadResult,
  RunOptions,
  StatfsResult,
  StatResult,
} from '../core/host.js'
import { liveIdentity, RealHost } from './real-host.js'

/** The marker in an outcome that this view could not do it for the host (matched by markNotRunnable). */
export const NOT_RUN_UNDER_ROOT = 'not run under --root'

const OWN_SELF_FILES = new Set(['status', 'limits', 'uid_map', 'gid_map', 'setgroups'])

export class RootedHost implements Host {
  readonly origin: string
  readonly root: string
  readonly identity: HostIdentity
  private readonly inner: Host
  /** `inner` answers for the mapped paths (the live machine; tests pass a fake). */
  constructor(root: string, identity: HostIdentity, inner: Host = new RealHost()) {
    this.root = root
    this.identity = identity
    this.inner = inner
    this.origin = `root:${root}`
  }

  /** The path on this machine that holds the host's `path`. */
  map(path: string): string {
    // Normalised first: `..` stops at the host's `/`, so no path (from host data) leaves the root.
    const clean = posix.resolve('/', path)
    const m = /^\/proc\/self(\/(.*))?$/.exec(clean)
    if (m) {
      const rest = m[2] ?? ''
      if (OWN_SELF_FILES.has(rest)) return clean
      return join(this.root, 'proc', '1', rest)
    }
    return join(this.root, clean)
  }

  read(path: string): Promise<ReadResult> {
    return this.inner.read(this.map(path))
  }
  readBytes(path: string, offset: number, length: number): Promise<BytesResult> {
    return this.inner.readBytes(this.map(path), offset, length)
  }
  list(dir: string): Promise<ListResult> {
    return this.inner.list(this.map(dir))
  }
  stat(path: string): Promise<StatResult> {
    return this.inner.stat(this.map(path))
  }
  statfs(path: string): Promise<StatfsResult> {
    return this.inner.statfs(this.map(path))
  }
  async open(path: string, mode: 'r' | 'rw'): Promise<OpenResult> {
    const r = await this.inner.open(this.map(path), mode)
    // EPERM on a device node is this container's device cgroup, not the host's permissions.
    if (r.kind === 'denied' && r.detail === 'EPERM' && path.startsWith('/dev/'))
      return {
        kind: 'error',
        detail: `${NOT_RUN_UNDER_ROOT} ${this.root}: opening ${path} needs privilege (this container's device cgroup denies it)`,
      }
    return r
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<CommandOutcome> {
    const [cmd, sub] = argv
    if (cmd === '@vcprobe' && sub === 'cpuid') return this.inner.run(argv, opts)
    if (cmd === '@vcprobe' && sub === 'kvm') {
      const dev = argv[2] ?? '/dev/kvm'
      const o = await this.open(dev, 'rw')
      if (o.kind === 'error' && o.detail.includes(NOT_RUN_UNDER_ROOT)) return o
      return this.inner.run(['@vcprobe', 'kvm', this.map(dev)], opts)
    }
    if (cmd === 'dmesg' && argv.length === 1) return this.inner.run(argv, opts)
    return { kind: 'error', detail: `${NOT_RUN_UNDER_ROOT} ${this.root}: ${argv.join(' ')} would run in this container, not on the host` }
  }
}

/** Open DIR as a host root; a folder without /proc or /sys is refused (exit 2). */
export const openRootedHost = async (dir: string, cwd: string): Promise<RootedHost> => {
  const root = resolve(cwd, dir)
  const isDir = async (p: string) => (await fsp.stat(p).catch(() => undefined))?.isDirectory() === true
  if (!(await isDir(root))) throw new UsageError(`--root ${dir}: no such folder`)
  if (!(await isDir(join(root, 'proc'))) && !(await isDir(join(root, 'sys'))))
    throw new UsageError(
      `--root ${dir}: no proc/ or sys/ in it; mount the host's /proc and /sys there (e.g. hostPath volumes at ${dir}/proc and ${dir}/sys)`,
    )
  const live = liveIdentity()
  const probe = new RootedHost(root, live)
  const first = async (paths: readonly string[]) => {
    for (const p of paths) {
      const r = await probe.read(p)
      if (r.kind === 'ok' && r.text.trim() !== '') return r.text.trim().split('\n')[0]!.trim()
    }
    return undefined
  }
  // The host's name is its /etc/hostname: /proc/sys/kernel/hostname answers for this container's UTS namespace.
  const hostname = (await first(['/etc/hostname'])) ?? live.hostname
  const kernelRelease = (await first(['/proc/sys/kernel/osrelease'])) ?? live.kernelRelease
  return new RootedHost(root, { ...live, hostname, kernelRelease })
}

/**
 * A finding whose evidence shows a command this view could not run is `unknown`, never the verdict the
 * probe drew from the missing output (e.g. "docker engine does not answer").
 */
export const markNotRunnable = (findings: readonly Finding[]): Finding[] =>
  findings.map((f) => {
    const blocked = f.evidence.find((e) => e.observed.includes(NOT_RUN_UNDER_ROOT))
    if (!blocked || f.status === 'skip' || f.status === 'unknown') return f
    const { remediation: _r, ...rest } = f
    return {
      ...rest,
      status: 'unknown',
      summary: `unknown (needs privilege: ${blocked.source} must run on the host itself; --root only reads the host's files; run probe on the host or in the privileged Job)`,
    }
  })
