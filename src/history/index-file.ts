/** Parsing and building the history index (pure). A damaged index is an InputFileError, not a crash. */
import { InputFileError } from '../core/errors.js'
import { jsonErrorWithoutContent } from '../io/read-report.js'
import type { RunReport } from '../core/report.js'
import { hostFingerprint, tierFingerprints } from './fingerprint.js'
import { HISTORY_SCHEMA_ID, HISTORY_SCHEMA_VERSION, type HistoryEntry, type HistoryIndex } from './types.js'
import { checkJsonDepth } from '../io/json-depth.js'

export const emptyIndex = (): HistoryIndex => ({ schema: HISTORY_SCHEMA_ID, schemaVersion: HISTORY_SCHEMA_VERSION, entries: [] })

const isRec = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export const parseIndex = (text: string, name: string): HistoryIndex => {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw new InputFileError(`${name}: not valid JSON (${jsonErrorWithoutContent((e as Error).message)})`)
  }
  checkJsonDepth(data, name)
  if (!isRec(data) || data['schema'] !== HISTORY_SCHEMA_ID)
    throw new InputFileError(`${name}: not a virtcheck history index (expected schema "${HISTORY_SCHEMA_ID}")`)
  const major = /^(\d+)\./.exec(String(data['schemaVersion']))?.[1]
  if (major !== HISTORY_SCHEMA_VERSION.split('.')[0])
    throw new InputFileError(`${name}: history index version ${String(data['schemaVersion'])} is not readable by this virtcheck`)
  const entries = data['entries']
  if (!Array.isArray(entries)) throw new InputFileError(`${name}: "entries" must be an array`)
  entries.forEach((e, i) => {
    const ok =
      isRec(e) &&
      ['id', 'file', 'startedAt', 'hostname', 'hostFingerprint'].every((k) => typeof e[k] === 'string') &&
      isRec(e['tierFingerprints'])
    if (!ok)
      throw new InputFileError(`${name}: entries[${i}] is damaged (needs id, file, startedAt, hostname, hostFingerprint, tierFingerprints)`)
    if (!isConfinedRunPath(e['file'] as string))
      throw new InputFileError(
        `${name}: entries[${i}].file must be a path inside the history folder (runs/NAME.json), not ${JSON.stringify(e['file'])}`,
      )
  })
  return data as unknown as HistoryIndex
}

/** An index names its runs relative to the history folder: `runs/<name>.json`, nothing absolute, no `..`. */
export const isConfinedRunPath = (file: string): boolean => /^runs\/[A-Za-z0-9][A-Za-z0-9._-]*\.json$/.test(file) && !file.includes('..')

const stamp = (iso: string): string => iso.replace(/[-:]/g, '').replace(/\.\d+/, '')

export const newEntry = (index: HistoryIndex, run: RunReport, o: { label?: string; commit?: string; now: Date }): HistoryEntry => {
  const seq = String(index.entries.length + 1).padStart(4, '0')
  const id = `${seq}-${stamp(run.startedAt)}`
  const label = o.label ?? run.label
  return {
    id,
    file: `runs/${id}.json`,
    addedAt: o.now.toISOString(),
    startedAt: run.startedAt,
    ...(label === undefined ? {} : { label }),
    ...(o.commit === undefined ? {} : { commit: o.commit }),
    hostname: run.host.hostname,
    cpuModel: run.host.cpuModel,
    kernel: run.host.kernel,
    arch: run.host.arch,
    mode: run.reproduce.mode,
    hostFingerprint: hostFingerprint(run),
    tierFingerprints: tierFingerprints(run),
  }
}

/** Entries in history order (by the run's start time, then by when they were added). */
export const ordered = (index: HistoryIndex): HistoryEntry[] =>
  [...index.entries].sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.id < b.id ? -1 : 1))
