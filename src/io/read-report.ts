/**
 * Reading RunReport files: the only way saved runs come back in. Every problem a user can cause
 * (missing file, truncated JSON, a host snapshot instead of a result, a result from a newer major
 * schema, a damaged field) becomes one InputFileError line (exit 2), never a crash or a half render.
 */
import { INPUT_LIMITS, readInputText } from './input-file.js'
import { InputFileError } from '../core/errors.js'
import { SCHEMA_ID, SCHEMA_MAJOR, SCHEMA_MINOR, type RunReport } from '../core/report.js'
import { CheckError, isObj } from './check.js'
import { checkRunReportBody } from './validate-report.js'
import { checkJsonDepth } from './json-depth.js'

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
    throw new InputFileError(
      `${name}: run report schema ${version[0]}.${version[1]} is older than this virtcheck reads (${SCHEMA_MAJOR}.${SCHEMA_MINOR})`,
    )
  try {
    return checkRunReportBody(data)
  } catch (e) {
    if (e instanceof CheckError) throw new InputFileError(`${name}: invalid run report: ${e.message}`)
    throw e
  }
}

/** Parse and validate the text of a run report. */
export const parseRunReportText = (text: string, name: string): RunReport => {
  if (text.length === 0) throw new InputFileError(`${name}: file is empty`)
  if (text.trim() === '') throw new InputFileError(`${name}: not JSON (the file holds only whitespace)`)
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e)
    // V8 reports either "Unexpected end of JSON input" or an error at a position at the very end of the text
    const at = /at position (\d+)/.exec(msg)
    const truncated = /end of JSON input/.test(msg) || (at !== null && Number(at[1]) >= text.trimEnd().length)
    throw new InputFileError(
      truncated ? `${name}: file is truncated (the JSON ends early)` : `${name}: not valid JSON (${jsonErrorWithoutContent(msg)})`,
      truncated ? 'a run that was killed mid-write leaves such files; rerun or use the last complete save' : undefined,
    )
  }
  checkJsonDepth(data, name)
  return validateRunReport(data, name)
}

/** Read, parse and validate a run report file (a regular file within INPUT_LIMITS.runReport). */
export const readRunReport = async (path: string): Promise<RunReport> =>
  parseRunReportText(await readInputText(path, { what: 'run report', maxBytes: INPUT_LIMITS.runReport }), path)

/**
 * V8 quotes the text around a JSON error (`Unexpected token 'r', "root:x:0:0:"... is not valid JSON`):
 * keep the reason and position, never the file's contents (the file may be one the user cannot read).
 */
export const jsonErrorWithoutContent = (msg: string): string => {
  const at = /position (\d+)/.exec(msg)?.[1]
  const reason =
    /^(Unexpected token|Unexpected non-whitespace character|Unterminated string|Bad control character|Expected [^,(]+|Unexpected end|Unexpected number|Unexpected string)/.exec(
      msg,
    )?.[1] ?? 'syntax error'
  return `${reason}${at !== undefined ? ` at position ${at}` : ''}`
}
