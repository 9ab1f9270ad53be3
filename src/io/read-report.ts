/**
 * Reading RunReport files: the only way saved runs come back in. Every problem a user can cause
 * (missing file, truncated JSON, a host snapshot instead of a result, a result from a newer major
 * schema, a damaged field) becomes one InputFileError line (exit 2), never a crash or a half render.
 */
import { readFile } from 'node:fs/promises'
import { InputFileError } from '../core/errors.js'
import { SCHEMA_ID, SCHEMA_MAJOR, SCHEMA_MINOR, type RunReport } from '../core/report.js'
import { CheckError, isObj } from './check.js'
import { checkRunReportBody } from './validate-report.js'

const SNAPSHOT_FORMAT = 'virtcheck-host-snapshot'

/** `1.0` → [1, 0]; anything else → undefined. */
export const parseSchemaVersion = (v: unknown): readonly [number, number] | undefined => {
  if (typeof v !== 'string') return undefined
  const m = /^(\d+)\.(\d+)$/.exec(v)
  return m ? [Number(m[1]), Number(m[2])] : undefined
}

/** Validate already-parsed JSON; `name` is the file name used in messages. */
export const validateRunReport = (data: unknown, name: string): RunReport => {
  if (!isObj(data)) throw new InputFileError(`${name}: not a virtcheck run report (the JSON is not an object)`)
  if (data['format'] === SNAPSHOT_FORMAT)
    throw new InputFileError(
      `${name}: this is a host snapshot, not a run report`,
      `probe it with \`virtcheck probe --from ${name}\`; \`virtcheck report\` renders results of \`virtcheck bench\``,
    )
  if (data['schema'] !== SCHEMA_ID) {
    const what = data['schema'] === undefined ? 'it has no "schema" field' : `its schema is ${JSON.stringify(data['schema'])}`
    throw new InputFileError(`${name}: not a virtcheck run report (${what}; expected "${SCHEMA_ID}")`)
  }
  const version = parseSchemaVersion(data['schemaVersion'])
  if (!version) throw new InputFileError(`${name}: run report has an invalid schemaVersion ${JSON.stringify(data['schemaVersion'])}`)
  if (version[0] > SCHEMA_MAJOR)
    throw new InputFileError(
      `${name}: run report schema ${version[0]}.${version[1]} is newer than this virtcheck reads (${SCHEMA_MAJOR}.x)`,
      'upgrade virtcheck to render it',
    )
  if (version[0] < SCHEMA_MAJOR)
    throw new InputFileError(`${name}: run report schema ${version[0]}.${version[1]} is older than this virtcheck reads (${SCHEMA_MAJOR}.${SCHEMA_MINOR})`)
  try {
    return checkRunReportBody(data)
  } catch (e) {
    if (e instanceof CheckError) throw new InputFileError(`${name}: invalid run report: ${e.message}`)
    throw e
  }
}

/** Parse and validate the text of a run report. */
export const parseRunReportText = (text: string, name: string): RunReport => {
  if (text.trim() === '') throw new InputFileError(`${name}: file is empty`)
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e)
    // V8 reports either "Unexpected end of JSON input" or an error at a position at the very end of the text
    const at = /at position (\d+)/.exec(msg)
    const truncated = /end of JSON input/.test(msg) || (at !== null && Number(at[1]) >= text.trimEnd().length)
    throw new InputFileError(
      truncated ? `${name}: file is truncated (the JSON ends early)` : `${name}: not valid JSON (${msg.replace(/\s+/g, ' ').trim()})`,
      truncated ? 'a run that was killed mid-write leaves such files; rerun or use the last complete save' : undefined,
    )
  }
  return validateRunReport(data, name)
}

/** Read, parse and validate a run report file. */
export const readRunReport = async (path: string): Promise<RunReport> => {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as { code?: string }).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message
    throw new InputFileError(`${path}: cannot read run report: ${why}`)
  }
  return parseRunReportText(text, path)
}
