/**
 * Collect a fleet from the command line: run report files and folders of them (e.g. Ansible's
 * `results/<host>/probe.json`). In a fleet a file that cannot be used does not stop the report: it
 * becomes a failed host with the reason, named after its folder. A host that produced no report writes
 * a failure record instead (docs/fleet.md):
 *   { "schema": "virtcheck-fleet-failure", "host": "node-7", "reason": "unreachable: ssh timed out" }
 */
import { readdir, stat } from 'node:fs/promises'
import { INPUT_LIMITS, readInputText } from '../io/input-file.js'
import { basename, dirname, join } from 'node:path'
import { InputFileError, UsageError } from '../core/errors.js'
import type { RunReport } from '../core/report.js'
import { parseRunReportText } from '../io/read-report.js'
import { FLEET_SCHEMA, type FleetFailure } from './fleet-model.js'

export const FAILURE_SCHEMA = 'virtcheck-fleet-failure'
const MAX_FILES = 20_000
const MAX_DEPTH = 4
const MAX_FAILURE_TEXT = 2000

export interface FleetInput {
  readonly reports: { report: RunReport; source: string }[]
  readonly failures: FleetFailure[]
  /** True when a folder was given (then the report is a fleet report whatever the count). */
  readonly fromFolder: boolean
  /** How many inputs were failure records (they only make sense in a fleet report). */
  readonly failureRecords: number
}

const walk = async (dir: string, depth: number, out: string[]): Promise<void> => {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (e) {
    throw new InputFileError(`${dir}: cannot list folder (${(e as { code?: string }).code ?? String(e)})`)
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.')) continue
    const p = join(dir, e.name)
    if (e.isDirectory() && depth < MAX_DEPTH) await walk(p, depth + 1, out)
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p)
    if (out.length > MAX_FILES) throw new InputFileError(`${dir}: more than ${MAX_FILES} JSON files; point at the results folder itself`)
  }
}

/** One line of free text from a failure record (it came from another machine). */
const oneLine = (s: unknown): string =>
  String(s)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .trim()
    .slice(0, MAX_FAILURE_TEXT)

/** A host name for a file that is no usable report: its folder in a results tree, else its file name. */
const hostOfPath = (file: string, underFolder: boolean): string =>
  underFolder ? basename(dirname(file)) : basename(file).replace(/\.json$/, '')

export const parseFleetFile = (
  text: string,
  file: string,
  underFolder: boolean,
): { report: RunReport } | { failure: FleetFailure; record: boolean } | { ownOutput: true } => {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    data = undefined
  }
  // A fleet report written into the results folder by an earlier run is not a host.
  if (typeof data === 'object' && data !== null && (data as Record<string, unknown>)['schema'] === FLEET_SCHEMA) return { ownOutput: true }
  if (typeof data === 'object' && data !== null && (data as Record<string, unknown>)['schema'] === FAILURE_SCHEMA) {
    const d = data as Record<string, unknown>
    const host = typeof d['host'] === 'string' && d['host'].trim() !== '' ? oneLine(d['host']).slice(0, 253) : hostOfPath(file, underFolder)
    return {
      record: true,
      failure: {
        host,
        reason: typeof d['reason'] === 'string' ? oneLine(d['reason']) || 'no reason given' : 'no reason given',
        source: file,
      },
    }
  }
  try {
    return { report: parseRunReportText(text, file) }
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e
    return {
      record: false,
      failure: { host: hostOfPath(file, underFolder), reason: `unusable report: ${oneLine(e.message)}`, source: file },
    }
  }
}

export const readFleetInput = async (paths: readonly string[]): Promise<FleetInput> => {
  const files: { file: string; underFolder: boolean }[] = []
  let fromFolder = false
  for (const p of paths) {
    const s = await stat(p).catch((e: { code?: string }) => {
      throw new InputFileError(
        `${p}: cannot read run report: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : (e.code ?? String(e))}`,
      )
    })
    if (s.isDirectory()) {
      fromFolder = true
      const found: string[] = []
      await walk(p, 0, found)
      if (found.length === 0)
        throw new UsageError(`${p}: no .json files in this folder`, "give the folder that holds the hosts' run reports")
      files.push(...found.map((file) => ({ file, underFolder: true })))
    } else if (s.isFile()) files.push({ file: p, underFolder: false })
    // a FIFO, a device or a socket named on the command line is a usage error, as for one report
    else await readInputText(p, { what: 'run report', maxBytes: INPUT_LIMITS.runReport })
  }
  const reports: FleetInput['reports'] = []
  const failures: FleetFailure[] = []
  let failureRecords = 0
  for (const { file, underFolder } of files) {
    let text: string
    try {
      text = await readInputText(file, { name: basename(file), what: 'run report', maxBytes: INPUT_LIMITS.runReport })
    } catch (e) {
      const why = e instanceof InputFileError ? e.message : `cannot read ${basename(file)} (${(e as { code?: string }).code ?? String(e)})`
      failures.push({ host: hostOfPath(file, underFolder), reason: oneLine(why), source: file })
      continue
    }
    const r = parseFleetFile(text, file, underFolder)
    if ('ownOutput' in r) continue
    if ('report' in r) reports.push({ report: r.report, source: file })
    else {
      failures.push(r.failure)
      if (r.record) failureRecords++
    }
  }
  return { reports, failures, fromFolder, failureRecords }
}
