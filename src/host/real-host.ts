/**
 * The live Host: reads the real file system and runs real commands (argv only, bounded in time).
 * Ordinary failures become data: ENOENT -> missing, EACCES/EPERM -> denied, anything else -> error.
 * File calls are synchronous under the async interface: a probe makes ~200 of them on /proc and /sys
 * (microseconds each), and queueing them on libuv's 4 threads behind each other cost more than the
 * reads themselves, most on a contended machine. Pseudo files are opened O_NONBLOCK.
 */
import { closeSync, constants as fsc, lstatSync, openSync, readdirSync, readlinkSync, readSync, statfsSync } from 'node:fs'
import { hostname, release } from 'node:os'
import type {
  BytesResult,
  CommandOutcome,
  Failure,
  FileType,
  Host,
  HostIdentity,
  ListResult,
  OpenResult,
  ReadResult,
  RunOptions,
  StatfsResult,
  StatResult,
} from '../core/host.js'
import { nativeBinary, unameArch } from './paths.js'
import { runBounded } from './run-bounded.js'
import { timeoutScale } from './slowness.js'
import { defaultToolCache, type ToolOutcomeCache } from './tool-outcome-cache.js'

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000
/** Reads of pseudo files are capped: /proc and /sys files are small, a runaway read is a bug. */
const MAX_READ_BYTES = 4 * 1024 * 1024

export const toFailure = (e: unknown): Failure => {
  const code = (e as { code?: string }).code
  const detail = e instanceof Error ? e.message : String(e)
  if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' }
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied', detail: code }
  return { kind: 'error', detail: code ?? detail }
}

const fileType = (s: {
  isFile(): boolean
  isDirectory(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
  isSymbolicLink(): boolean
  isFIFO(): boolean
  isSocket(): boolean
}): FileType =>
  s.isSymbolicLink()
    ? 'link'
    : s.isFile()
      ? 'file'
      : s.isDirectory()
        ? 'dir'
        : s.isCharacterDevice()
          ? 'char'
          : s.isBlockDevice()
            ? 'block'
            : s.isFIFO()
              ? 'fifo'
              : s.isSocket()
                ? 'socket'
                : 'other'

/** Linux dev_t decoding (glibc gnu_dev_major/minor). */
const devMajor = (rdev: number): number => ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff)
const devMinor = (rdev: number): number => (rdev & 0xff) | ((rdev >>> 12) & ~0xff)

/** Resolve `@vcprobe` / `@vcwork` to the project's built static helpers. */
export const resolveArgv0 = (argv0: string): string =>
  argv0 === '@vcprobe' ? nativeBinary('vcprobe') : argv0 === '@vcwork' ? nativeBinary('vcwork') : argv0

export const liveIdentity = (): HostIdentity => ({
  uid: process.getuid?.() ?? -1,
  gid: process.getgid?.() ?? -1,
  groups: process.getgroups?.() ?? [],
  arch: unameArch(),
  kernelRelease: release(),
  hostname: hostname(),
})

export interface RealHostOptions {
  /** Multiplies every command's time limit (slow, emulated hosts). @default timeoutScale() */
  readonly timeoutScale?: number
  /** Where `cacheByBinary` outputs are kept; null: never cache. @default the user cache folder */
  readonly toolCache?: ToolOutcomeCache | null
  /** Runs the commands (tests pass a fake slow one). @default runBounded */
  readonly runner?: typeof runBounded
}

export class RealHost implements Host {
  readonly origin = 'live'
  readonly identity: HostIdentity = liveIdentity()
  readonly toolPath = process.env['PATH']
  readonly timeoutScale: number
  private readonly toolCache: ToolOutcomeCache | null
  private readonly runner: typeof runBounded

  constructor(o: RealHostOptions = {}) {
    this.timeoutScale = o.timeoutScale ?? timeoutScale(process.env)
    this.toolCache = o.toolCache === undefined ? defaultToolCache() : o.toolCache
    this.runner = o.runner ?? runBounded
  }

  async read(path: string): Promise<ReadResult> {
    try {
      const fd = openSync(path, fsc.O_RDONLY | fsc.O_NONBLOCK)
      try {
        // Pseudo files report size 0, so read in chunks until EOF.
        const chunks: Buffer[] = []
        let total = 0
        for (;;) {
          const buf = Buffer.allocUnsafe(65536)
          const bytesRead = readSync(fd, buf, 0, buf.length, null)
          if (bytesRead === 0) break
          chunks.push(buf.subarray(0, bytesRead))
          total += bytesRead
          if (total >= MAX_READ_BYTES) break
        }
        return { kind: 'ok', text: Buffer.concat(chunks).toString('utf8') }
      } finally {
        closeSync(fd)
      }
    } catch (e) {
      return toFailure(e)
    }
  }

  async readBytes(path: string, offset: number, length: number): Promise<BytesResult> {
    try {
      const fd = openSync(path, fsc.O_RDONLY)
      try {
        const buf = Buffer.alloc(length)
        const bytesRead = readSync(fd, buf, 0, length, offset)
        return { kind: 'ok', bytes: new Uint8Array(buf.subarray(0, bytesRead)) }
      } finally {
        closeSync(fd)
      }
    } catch (e) {
      return toFailure(e)
    }
  }

  async list(dir: string): Promise<ListResult> {
    try {
      return { kind: 'ok', entries: readdirSync(dir).sort() }
    } catch (e) {
      return toFailure(e)
    }
  }

  async stat(path: string): Promise<StatResult> {
    try {
      const s = lstatSync(path)
      const type = fileType(s)
      const target = type === 'link' ? readlinkSync(path) : undefined
      return {
        kind: 'ok',
        type,
        mode: s.mode & 0o7777,
        uid: s.uid,
        gid: s.gid,
        size: s.size,
        nlink: s.nlink,
        ...(type === 'char' || type === 'block' ? { rdev: { major: devMajor(s.rdev), minor: devMinor(s.rdev) } } : {}),
        ...(target === undefined ? {} : { target }),
      }
    } catch (e) {
      return toFailure(e)
    }
  }

  async statfs(path: string): Promise<StatfsResult> {
    try {
      return { kind: 'ok', fsType: statfsSync(path).type }
    } catch (e) {
      return toFailure(e)
    }
  }

  async open(path: string, mode: 'r' | 'rw'): Promise<OpenResult> {
    try {
      closeSync(openSync(path, (mode === 'rw' ? fsc.O_RDWR : fsc.O_RDONLY) | fsc.O_NONBLOCK))
      return { kind: 'ok' }
    } catch (e) {
      return toFailure(e)
    }
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<CommandOutcome> {
    const [cmd, ...args] = argv
    if (cmd === undefined) return { kind: 'error', detail: 'empty argv' }
    const file = resolveArgv0(cmd)
    const key = opts.cacheByBinary && this.toolCache ? await this.toolCache.keyFor(file, args) : undefined
    const hit = key !== undefined ? await this.toolCache?.get(key) : undefined
    if (hit) return hit
    const o = await this.runner(file, args, cmd, {
      timeoutMs: Math.round((opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS) * this.timeoutScale),
      ...(opts.input === undefined ? {} : { input: opts.input }),
      env: { ...process.env, LC_ALL: 'C', NO_COLOR: '1', ...opts.env },
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      maxBytes: 16 * 1024 * 1024,
    })
    if (key !== undefined) void this.toolCache?.put(key, o)
    return o
  }
}
