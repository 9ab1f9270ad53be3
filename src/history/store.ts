/**
 * The history folder on disk: add a run (copy + index update, both written atomically) and load
 * every stored run in history order. The only file I/O of src/history.
 */
import { existsSync } from 'node:fs'
import { realpath } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { INPUT_LIMITS, readInputText } from '../io/input-file.js'
import { InputFileError } from '../core/errors.js'
import type { RunReport } from '../core/report.js'
import { readRunReport } from '../io/read-report.js'
import { writeJsonAtomic, writeTextAtomic } from '../io/outputs.js'
import { jsonText } from '../../reports/format/json-text.js'
import { emptyIndex, newEntry, ordered, parseIndex } from './index-file.js'
import type { HistoryEntry, HistoryIndex } from './types.js'

export const INDEX_FILE = 'index.json'

export const loadIndex = async (dir: string, mustExist: boolean): Promise<HistoryIndex> => {
  const path = join(dir, INDEX_FILE)
  if (!existsSync(path)) {
    if (!mustExist) return emptyIndex()
    throw new InputFileError(
      `${path}: cannot read the history index (no such file)`,
      'create it with `virtcheck history add RESULT.json --dir DIR`',
    )
  }
  return parseIndex(await readInputText(path, { what: 'history index', maxBytes: INPUT_LIMITS.historyIndex }), path)
}

export const addRun = async (
  dir: string,
  resultPath: string,
  o: { label?: string; commit?: string; now?: Date },
): Promise<HistoryEntry> => {
  const run = await readRunReport(resultPath)
  if (run.reproduce.mode === 'probe-only' || run.results.length === 0)
    throw new InputFileError(
      `${resultPath}: a probe report (no benchmark results); the history keeps bench runs`,
      'add the result.json of `virtcheck bench` (or of the plain `virtcheck` run)',
    )
  if (run.partial)
    throw new InputFileError(`${resultPath}: the run is partial (interrupted or still running); only finished runs go into the history`)
  const index = await loadIndex(dir, false)
  if (index.entries.some((e) => e.startedAt === run.startedAt && e.hostname === run.host.hostname))
    throw new InputFileError(`${resultPath}: this run (started ${run.startedAt} on ${run.host.hostname}) is already in ${dir}`)
  const entry = newEntry(index, run, { ...o, now: o.now ?? new Date() })
  // the history folder is virtcheck's own: created on the first add
  await writeJsonAtomic(join(dir, entry.file), run, { createDir: true })
  await writeTextAtomic(join(dir, INDEX_FILE), jsonText({ ...index, entries: [...index.entries, entry] }), { createDir: true })
  return entry
}

/** The run file's real path, refused unless it lies inside the history folder (symbolic links followed). */
const confined = async (root: string, file: string): Promise<string> => {
  const path = join(root, file)
  const real = await realpath(path).catch(() => path)
  if (!real.startsWith(root + sep))
    throw new InputFileError(`${join(root, INDEX_FILE)}: ${JSON.stringify(file)} leads outside the history folder; refusing to read it`)
  return real
}

export interface StoredRun {
  readonly entry: HistoryEntry
  readonly run: RunReport
}

export const loadRuns = async (dir: string): Promise<StoredRun[]> => {
  const index = await loadIndex(dir, true)
  const out: StoredRun[] = []
  const root = await realpath(dir)
  for (const entry of ordered(index)) out.push({ entry, run: await readRunReport(await confined(root, entry.file)) })
  return out
}
