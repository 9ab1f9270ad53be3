/**
 * The host snapshot file: everything the probes read (file contents, listings, stats, opens, command
 * outputs), so `virtcheck probe --from host.json` diagnoses a server without logging into it.
 * Format documented in docs/snapshot-format.md. Pure data + validation; file I/O is in the CLI.
 */
import type {
  BytesResult,
  CommandOutcome,
  HostIdentity,
  ListResult,
  OpenResult,
  ReadResult,
  StatfsResult,
  StatResult,
} from '../core/host.js'
import { InputFileError } from '../core/errors.js'

export const SNAPSHOT_FORMAT = 'virtcheck-host-snapshot'
export const SNAPSHOT_MAJOR = 1

/** Binary results are stored as base64 so the file stays JSON. */
export type StoredBytes = { readonly kind: 'ok'; readonly base64: string } | Exclude<BytesResult, { kind: 'ok' }>

export interface HostSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT
  readonly version: string
  readonly capturedAt: string
  readonly tool: { readonly name: 'virtcheck'; readonly version: string }
  /** Free text: where this came from (`captured on build-42`, `hand-built fixture: Intel laptop, VT-x off`). */
  readonly description?: string
  readonly identity: HostIdentity
  /**
   * What an unrecorded path or command returns: `error` for captured snapshots (honest: we did not look),
   * `missing` for hand-built fixtures (absent unless listed).
   */
  readonly unrecorded: 'missing' | 'error'
  readonly reads: Readonly<Record<string, ReadResult>>
  /** Key: `${path}@${offset}+${length}`. */
  readonly bytes: Readonly<Record<string, StoredBytes>>
  readonly lists: Readonly<Record<string, ListResult>>
  readonly stats: Readonly<Record<string, StatResult>>
  readonly statfs: Readonly<Record<string, StatfsResult>>
  /** Key: `${path}:${mode}`. */
  readonly opens: Readonly<Record<string, OpenResult>>
  /** Key: JSON.stringify(argv). */
  readonly commands: Readonly<Record<string, CommandOutcome>>
}

/** A snapshot's answer tables (all but its header), writable: what RecordingHost fills. */
export type SnapshotTables = {
  -readonly [K in 'reads' | 'bytes' | 'lists' | 'stats' | 'statfs' | 'opens' | 'commands']: HostSnapshot[K] extends Readonly<
    Record<string, infer V>
  >
    ? Record<string, V>
    : never
}
export const emptyTables = (): SnapshotTables => ({ reads: {}, bytes: {}, lists: {}, stats: {}, statfs: {}, opens: {}, commands: {} })

export const bytesKey = (path: string, offset: number, length: number): string => `${path}@${offset}+${length}`
export const openKey = (path: string, mode: 'r' | 'rw'): string => `${path}:${mode}`
export const commandKey = (argv: readonly string[]): string => JSON.stringify(argv)

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Validate parsed JSON as a snapshot; throws InputFileError (exit 2) with a one-line reason. */
export const validateSnapshot = (data: unknown, file: string): HostSnapshot => {
  if (!isRecord(data)) throw new InputFileError(`${file}: not a virtcheck host snapshot (top level is not an object)`)
  if (data['format'] !== SNAPSHOT_FORMAT) {
    const hint =
      data['schema'] === 'virtcheck-run'
        ? 'this is a run result; use `virtcheck report` for it'
        : 'create one with `virtcheck capture -o host.json`'
    throw new InputFileError(`${file}: not a virtcheck host snapshot (format is ${JSON.stringify(data['format'])})`, hint)
  }
  const version = data['version']
  if (typeof version !== 'string' || !/^\d+\.\d+$/.test(version))
    throw new InputFileError(`${file}: snapshot has no valid version (got ${JSON.stringify(version)})`)
  const major = Number(version.split('.')[0])
  if (major > SNAPSHOT_MAJOR)
    throw new InputFileError(
      `${file}: snapshot format ${version} is newer than this virtcheck understands (${SNAPSHOT_MAJOR}.x)`,
      'upgrade virtcheck',
    )
  for (const table of ['reads', 'bytes', 'lists', 'stats', 'statfs', 'opens', 'commands'] as const) {
    if (!isRecord(data[table])) throw new InputFileError(`${file}: snapshot is missing its "${table}" table (truncated or edited?)`)
  }
  const id = data['identity']
  if (!isRecord(id) || typeof id['arch'] !== 'string' || typeof id['uid'] !== 'number')
    throw new InputFileError(`${file}: snapshot identity is missing or malformed`)
  if (data['unrecorded'] !== 'missing' && data['unrecorded'] !== 'error')
    throw new InputFileError(`${file}: snapshot field "unrecorded" must be "missing" or "error"`)
  return data as unknown as HostSnapshot
}
