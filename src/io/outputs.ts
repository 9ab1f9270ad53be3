/**
 * The one place report files are written (docs/architecture.md, principle 5). Renderers produce strings; this module
 * sends each to its target: a file (written atomically: temp file + rename, so a reader or a crash never
 * sees half a report) or `-` for stdout (at most one target may be `-`, or outputs would interleave).
 */
import { accessSync, constants, promises as fsp, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { UsageError } from '../core/errors.js'
import { writeErrorText } from './write-error.js'
import type { RunReport } from '../core/report.js'
import { renderHtml } from '../../reports/html/index.js'
import { renderJson } from '../../reports/json.js'
import { renderJunit } from '../../reports/junit.js'
import { renderMarkdown } from '../../reports/markdown.js'

export const OUTPUT_FORMATS = ['json', 'html', 'md', 'junit'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]
export type OutputTargets = { readonly [K in OutputFormat]?: string }

export interface OutputIO {
  /** Where `-` goes. */
  readonly stdout: { write(text: string): void }
  /** Base for relative paths. */
  readonly cwd?: string
}

export interface WrittenOutput {
  readonly format: OutputFormat
  /** Absolute path, or `-` for stdout. */
  readonly target: string
  readonly bytes: number
}

/** Throws a UsageError when more than one target is stdout. */
export const checkTargets = (targets: OutputTargets): void => {
  const dashes = OUTPUT_FORMATS.filter((f) => targets[f] === '-')
  if (dashes.length > 1) throw new UsageError(`only one output can go to stdout (-), got ${dashes.map((f) => '--' + f).join(' and ')}`)
  for (const f of OUTPUT_FORMATS) if (targets[f] === '') throw new UsageError(`--${f} needs a file name or -`)
}

export interface WriteOptions {
  /**
   * Create the missing parent folders: only for virtcheck's own folders (a run folder, a history
   * folder). A file the user named is written where it is named: a missing folder is a typo, not a
   * request to create `/nonexistent/dir` as root.
   */
  readonly createDir?: boolean
}

/** Write text to a file atomically: a temp file in the same folder, then rename over the target. */
export const writeTextAtomic = async (path: string, text: string, o: WriteOptions = {}): Promise<void> => {
  const dir = dirname(path)
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  try {
    if (o.createDir) await fsp.mkdir(dir, { recursive: true })
    await fsp.writeFile(tmp, text, { encoding: 'utf8', mode: 0o644 })
    await fsp.rename(tmp, path)
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined)
    throw new UsageError(`cannot write ${path}: ${writeErrorText(e)}`)
  }
}

/**
 * Before anything is measured: an output file must be creatable where it is named — its folder exists
 * and is writable, and it is not itself a folder. Nothing is created here.
 */
export const checkOutputPath = (flag: string, path: string): void => {
  const st = statOrUndefined(path)
  if (st?.isDirectory()) throw new UsageError(`${flag} ${path}: is a directory`, 'name a file')
  const dir = dirname(path)
  const ds = statOrUndefined(dir)
  if (!ds) throw new UsageError(`${flag} ${path}: the folder ${dir} does not exist`, 'create it first; nothing was measured')
  if (!ds.isDirectory()) throw new UsageError(`${flag} ${path}: ${dir} is not a folder`)
  try {
    accessSync(st ? path : dir, constants.W_OK)
  } catch {
    throw new UsageError(`${flag} ${path}: ${st ? 'the file' : `the folder ${dir}`} is not writable`)
  }
}

const statOrUndefined = (p: string) => {
  try {
    return statSync(p)
  } catch {
    return undefined
  }
}

/** Partial saves: the bench runner calls this after every tier so a crash loses nothing. */
export const writeJsonAtomic = (path: string, report: RunReport, o: WriteOptions = {}): Promise<void> =>
  writeTextAtomic(path, renderJson(report), o)

/** Render one output; several reports merge into one comparison (HTML, Markdown) or are refused. */
export const renderOutput = (format: OutputFormat, reports: readonly RunReport[]): string => {
  const [first] = reports
  if (!first) throw new UsageError('no run report to render')
  if (reports.length > 1 && (format === 'json' || format === 'junit'))
    throw new UsageError(`--${format} takes a single run report, got ${reports.length}`, 'use --html or --md to compare several hosts')
  switch (format) {
    case 'json':
      return renderJson(first)
    case 'junit':
      return renderJunit(first)
    case 'html':
      return renderHtml(reports)
    case 'md':
      return renderMarkdown(reports)
  }
}

/**
 * Render and write every requested output. All outputs are rendered before any is written, so a
 * refused combination writes nothing.
 */
export const writeOutputs = async (
  report: RunReport | readonly RunReport[],
  targets: OutputTargets,
  io: OutputIO,
): Promise<readonly WrittenOutput[]> => {
  checkTargets(targets)
  const reports: readonly RunReport[] = Array.isArray(report) ? report : [report as RunReport]
  const jobs = OUTPUT_FORMATS.flatMap((format) => {
    const target = targets[format]
    return target === undefined ? [] : [{ format, target, text: renderOutput(format, reports) }]
  })
  const written: WrittenOutput[] = []
  for (const { format, target, text } of jobs) {
    if (target === '-') {
      io.stdout.write(text)
      written.push({ format, target, bytes: Buffer.byteLength(text) })
    } else {
      const abs = resolve(io.cwd ?? process.cwd(), target)
      await writeTextAtomic(abs, text)
      written.push({ format, target: abs, bytes: Buffer.byteLength(text) })
    }
  }
  return written
}
