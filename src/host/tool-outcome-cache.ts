/**
 * Outputs of commands that depend only on the binary (`qemu --version`, `qemu -accel help`,
 * `runc --version`), cached in virtcheck's cache folder keyed by the binary's identity (path, size,
 * mtime, ctime, inode): a package upgrade replaces the file and so misses the cache. Spawning these ~8
 * tools cost most of a probe's time; the answers never change between runs. Only successful runs are
 * kept. Every failure to read or write the cache file is ignored (then the command simply runs).
 */
import { promises as fsp, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { CommandOutcome } from '../core/host.js'
import { userCacheDir } from './cache-dir.js'

interface Entry {
  readonly stdout: string
  readonly stderr: string
}

const FORMAT = 1

export class ToolOutcomeCache {
  private entries: Record<string, Entry> | undefined
  private pendingWrite: Promise<void> = Promise.resolve()
  readonly file: string
  constructor(file: string) {
    this.file = file
  }

  /** Synchronous, like RealHost's file calls: one small file, read once per run. */
  private load(): Record<string, Entry> {
    if (this.entries) return this.entries
    try {
      const d = JSON.parse(readFileSync(this.file, 'utf8')) as { format?: number; entries?: Record<string, Entry> }
      this.entries = d.format === FORMAT && d.entries && typeof d.entries === 'object' ? d.entries : {}
    } catch {
      this.entries = {}
    }
    return this.entries
  }

  /** The key, or undefined when the binary cannot be stat'ed (then nothing is cached). */
  async keyFor(binary: string, args: readonly string[]): Promise<string | undefined> {
    try {
      const s = statSync(binary)
      return JSON.stringify([binary, s.size, s.mtimeMs, s.ctimeMs, s.ino, ...args])
    } catch {
      return undefined
    }
  }

  async get(key: string): Promise<CommandOutcome | undefined> {
    const e = this.load()[key]
    return e && typeof e.stdout === 'string'
      ? { kind: 'exited', exitCode: 0, stdout: e.stdout, stderr: String(e.stderr ?? ''), durationMs: 0 }
      : undefined
  }

  /** Resolves when every write started so far has landed (or failed). */
  flushed(): Promise<void> {
    return this.pendingWrite
  }

  /** Keep a successful outcome; writes are chained so concurrent puts in one run all land. */
  put(key: string, o: CommandOutcome): Promise<void> {
    if (o.kind !== 'exited' || o.exitCode !== 0) return Promise.resolve()
    this.pendingWrite = this.pendingWrite.then(async () => {
      const entries = this.load()
      // an older identity of the same binary and arguments can never match again
      const [bin, , , , , ...args] = JSON.parse(key) as unknown[]
      for (const k of Object.keys(entries)) {
        const [b, , , , , ...a] = JSON.parse(k) as unknown[]
        if (b === bin && JSON.stringify(a) === JSON.stringify(args)) delete entries[k]
      }
      entries[key] = { stdout: o.stdout, stderr: o.stderr }
      try {
        await fsp.mkdir(dirname(this.file), { recursive: true })
        const tmp = `${this.file}.${process.pid}.tmp`
        await fsp.writeFile(tmp, JSON.stringify({ format: FORMAT, entries }))
        await fsp.rename(tmp, this.file)
      } catch {
        // a read-only or full cache folder only costs speed
      }
    })
    return this.pendingWrite
  }
}

export const defaultToolCache = (env: NodeJS.ProcessEnv = process.env): ToolOutcomeCache =>
  new ToolOutcomeCache(join(userCacheDir(env), 'tool-outcomes.json'))
