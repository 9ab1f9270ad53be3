/**
 * Host: the only view probes have of a machine. The real implementation lives in src/host/real-host.ts;
 * a captured snapshot (src/host/snapshot-host.ts) answers the same calls from a JSON file, so every
 * probe runs unchanged against a server we cannot log into (docs/architecture.md, principles 1 and 10).
 *
 * Every call returns data, never throws for an ordinary failure: missing, denied and error are distinct
 * (unlike systeminformation, which folds them all into an empty string).
 */

export type Failure =
  { readonly kind: 'missing' } | { readonly kind: 'denied'; readonly detail: string } | { readonly kind: 'error'; readonly detail: string }

export type ReadResult = { readonly kind: 'ok'; readonly text: string } | Failure
/** Binary reads (ACPI tables, /dev/cpu/N/cpuid, /dev/cpu/N/msr) at an offset. */
export type BytesResult = { readonly kind: 'ok'; readonly bytes: Uint8Array } | Failure
export type ListResult = { readonly kind: 'ok'; readonly entries: readonly string[] } | Failure

export type FileType = 'file' | 'dir' | 'char' | 'block' | 'link' | 'fifo' | 'socket' | 'other'
export type StatResult =
  | {
      readonly kind: 'ok'
      readonly type: FileType
      /** Permission bits only (mode & 0o7777). */
      readonly mode: number
      readonly uid: number
      readonly gid: number
      /** For char/block devices. */
      readonly rdev?: { readonly major: number; readonly minor: number }
      readonly size: number
      /** Link count; used e.g. for /sys/kernel/iommu_groups. */
      readonly nlink: number
      /** Symlink target when type is 'link' (lstat semantics). */
      readonly target?: string
    }
  | Failure

/** statfs f_type, e.g. 0x63677270 for cgroup2. */
export type StatfsResult = { readonly kind: 'ok'; readonly fsType: number } | Failure

/** The result of actually opening a path (the only trustworthy permission test for /dev/kvm). */
export type OpenResult = { readonly kind: 'ok' } | Failure

export type CommandOutcome =
  | {
      readonly kind: 'exited'
      readonly exitCode: number
      readonly stdout: string
      readonly stderr: string
      readonly durationMs: number
    }
  | { readonly kind: 'not-found'; readonly file: string }
  | { readonly kind: 'timed-out'; readonly durationMs: number; readonly stdout: string; readonly stderr: string }
  | { readonly kind: 'killed'; readonly signal: string; readonly stdout: string; readonly stderr: string }
  | { readonly kind: 'error'; readonly detail: string }

export interface RunOptions {
  /** Hard limit on a typical host; a live host scales it by its slowness (src/host/slowness.ts). @default 10000 */
  readonly timeoutMs?: number
  readonly input?: string
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  /**
   * The output depends only on the binary (`--version`, `-accel help`): a live host may answer from
   * its cache keyed by the binary's identity instead of spawning it (src/host/tool-outcome-cache.ts).
   */
  readonly cacheByBinary?: boolean
}

export interface HostIdentity {
  readonly uid: number
  readonly gid: number
  /** Supplementary groups of this process. */
  readonly groups: readonly number[]
  /** `x86_64`, `aarch64`, ... (uname -m spelling). */
  readonly arch: string
  readonly kernelRelease: string
  readonly hostname: string
}

export interface Host {
  /** Where the answers come from: `live` or `snapshot:<file>`. */
  readonly origin: string
  readonly identity: HostIdentity
  /** The $PATH tools are looked for on first (src/core/tool-search.ts); none (a snapshot): the standard folders only. */
  readonly toolPath?: string | undefined
  read(path: string): Promise<ReadResult>
  readBytes(path: string, offset: number, length: number): Promise<BytesResult>
  list(dir: string): Promise<ListResult>
  /** lstat semantics: a symlink reports type 'link' and its target. */
  stat(path: string): Promise<StatResult>
  statfs(path: string): Promise<StatfsResult>
  /** Open (and immediately close) a path; `rw` opens O_RDWR. Never creates files. */
  open(path: string, mode: 'r' | 'rw'): Promise<OpenResult>
  /**
   * Run a command, argv only (no shell). argv[0] may be `@vcprobe` or `@vcwork`, which resolve to the
   * project's own static helpers; snapshots record the logical name so they replay anywhere.
   */
  run(argv: readonly string[], opts?: RunOptions): Promise<CommandOutcome>
}

export const describeFailure = (f: Failure): string =>
  f.kind === 'missing' ? 'missing' : `${f.kind === 'denied' ? 'permission denied' : 'error'}: ${f.detail}`

export const describeOutcome = (o: CommandOutcome): string => {
  switch (o.kind) {
    case 'exited':
      return `exit ${o.exitCode}`
    case 'not-found':
      return `${o.file}: command not found`
    case 'timed-out':
      return `timed out after ${Math.round(o.durationMs)} ms`
    case 'killed':
      return `killed by ${o.signal}`
    case 'error':
      return `error: ${o.detail}`
  }
}
