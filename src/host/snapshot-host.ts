/**
 * SnapshotHost answers Host calls from a HostSnapshot; RecordingHost wraps a live host and records
 * every answer into one (that is all `virtcheck capture` is).
 */
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
import {
  bytesKey,
  commandKey,
  emptyTables,
  openKey,
  SNAPSHOT_FORMAT,
  SNAPSHOT_MAJOR,
  type HostSnapshot,
  type SnapshotTables,
  type StoredBytes,
} from './snapshot.js'

const NOT_RECORDED = 'not recorded in snapshot'

export class SnapshotHost implements Host {
  readonly origin: string
  readonly identity: HostIdentity
  private readonly snap: HostSnapshot
  constructor(snap: HostSnapshot, name = 'snapshot') {
    this.snap = snap
    this.origin = `snapshot:${name}`
    this.identity = snap.identity
  }

  private absent<T>(): T {
    return (this.snap.unrecorded === 'missing' ? { kind: 'missing' } : { kind: 'error', detail: NOT_RECORDED }) as T
  }

  async read(path: string): Promise<ReadResult> {
    return this.snap.reads[path] ?? this.absent()
  }
  async readBytes(path: string, offset: number, length: number): Promise<BytesResult> {
    const stored = this.snap.bytes[bytesKey(path, offset, length)]
    if (!stored) return this.absent()
    return stored.kind === 'ok' ? { kind: 'ok', bytes: new Uint8Array(Buffer.from(stored.base64, 'base64')) } : stored
  }
  async list(dir: string): Promise<ListResult> {
    return this.snap.lists[dir] ?? this.absent()
  }
  async stat(path: string): Promise<StatResult> {
    return this.snap.stats[path] ?? this.absent()
  }
  async statfs(path: string): Promise<StatfsResult> {
    return this.snap.statfs[path] ?? this.absent()
  }
  async open(path: string, mode: 'r' | 'rw'): Promise<OpenResult> {
    return this.snap.opens[openKey(path, mode)] ?? this.absent()
  }
  async run(argv: readonly string[], _opts?: RunOptions): Promise<CommandOutcome> {
    const o = this.snap.commands[commandKey(argv)]
    if (o) return o
    return this.snap.unrecorded === 'missing'
      ? { kind: 'not-found', file: argv[0] ?? '' }
      : { kind: 'error', detail: `${NOT_RECORDED}: ${argv.join(' ')}` }
  }
}

export class RecordingHost implements Host {
  readonly origin: string
  readonly identity: HostIdentity
  private readonly rec: SnapshotTables = emptyTables()
  private readonly inner: Host
  constructor(inner: Host) {
    this.inner = inner
    this.origin = inner.origin
    this.identity = inner.identity
  }

  async read(path: string): Promise<ReadResult> {
    return (this.rec.reads[path] = await this.inner.read(path))
  }
  async readBytes(path: string, offset: number, length: number): Promise<BytesResult> {
    const r = await this.inner.readBytes(path, offset, length)
    const stored: StoredBytes = r.kind === 'ok' ? { kind: 'ok', base64: Buffer.from(r.bytes).toString('base64') } : r
    this.rec.bytes[bytesKey(path, offset, length)] = stored
    return r
  }
  async list(dir: string): Promise<ListResult> {
    return (this.rec.lists[dir] = await this.inner.list(dir))
  }
  async stat(path: string): Promise<StatResult> {
    return (this.rec.stats[path] = await this.inner.stat(path))
  }
  async statfs(path: string): Promise<StatfsResult> {
    return (this.rec.statfs[path] = await this.inner.statfs(path))
  }
  async open(path: string, mode: 'r' | 'rw'): Promise<OpenResult> {
    return (this.rec.opens[openKey(path, mode)] = await this.inner.open(path, mode))
  }
  async run(argv: readonly string[], opts?: RunOptions): Promise<CommandOutcome> {
    return (this.rec.commands[commandKey(argv)] = await this.inner.run(argv, opts))
  }

  snapshot(meta: { toolVersion: string; description?: string; now?: Date }): HostSnapshot {
    return {
      format: SNAPSHOT_FORMAT,
      version: `${SNAPSHOT_MAJOR}.0`,
      capturedAt: (meta.now ?? new Date()).toISOString(),
      tool: { name: 'virtcheck', version: meta.toolVersion },
      ...(meta.description === undefined ? {} : { description: meta.description }),
      identity: this.identity,
      unrecorded: 'error',
      ...this.rec,
    }
  }
}
