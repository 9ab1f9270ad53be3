/**
 * The history folder: `index.json` (this shape) plus `runs/<id>.json`, a verbatim copy of each added
 * RunReport. The index carries what the trend needs to group comparable runs without reading them.
 */
export const HISTORY_SCHEMA_ID = 'virtcheck-history'
export const HISTORY_SCHEMA_VERSION = '1.0'

export interface HistoryEntry {
  /** `0007-20250101T020304Z`: sequence number first, so file order is history order. */
  readonly id: string
  /** Path of the stored copy, relative to the history folder. */
  readonly file: string
  readonly addedAt: string
  readonly startedAt: string
  readonly label?: string
  readonly commit?: string
  readonly hostname: string
  readonly cpuModel: string
  readonly kernel: string
  readonly arch: string
  readonly mode: string
  /** Hash of the host identity (hostname, CPU model, kernel, arch). */
  readonly hostFingerprint: string
  /** Hash of each tier's config; runs are comparable per tier when host and tier hashes match. */
  readonly tierFingerprints: Readonly<Record<string, string>>
}

export interface HistoryIndex {
  readonly schema: typeof HISTORY_SCHEMA_ID
  readonly schemaVersion: string
  readonly entries: readonly HistoryEntry[]
}
