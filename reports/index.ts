/**
 * The report catalog: every output format by name, each a pure function of finished run reports.
 * Writing files happens only in src/io/outputs.ts.
 */
import type { RunReport } from '../src/core/report.js'
import type { Style } from './format/style.js'
import { renderHtml } from './html/index.js'
import { renderJson } from './json.js'
import { renderJunit } from './junit.js'
import { renderMarkdown } from './markdown.js'
import { renderSummaryLines } from './summary.js'
import { renderMatrix } from './terminal-matrix.js'

export interface Reporter {
  readonly name: string
  readonly extension: string
  /** Can it render several reports merged into one (hosts as column groups)? */
  readonly merges: boolean
  render(reports: readonly RunReport[], style: Style): string
}

const single = (f: (r: RunReport) => string) => (reports: readonly RunReport[]): string => {
  const [first] = reports
  if (!first || reports.length > 1) throw new Error('this format renders exactly one report')
  return f(first)
}

export const REPORTERS = {
  terminal: { name: 'terminal', extension: 'txt', merges: true, render: (reports, style) => renderMatrix(reports, style) },
  json: { name: 'json', extension: 'json', merges: false, render: single(renderJson) },
  html: { name: 'html', extension: 'html', merges: true, render: (reports) => renderHtml(reports) },
  md: { name: 'md', extension: 'md', merges: true, render: (reports) => renderMarkdown(reports) },
  junit: { name: 'junit', extension: 'xml', merges: false, render: single(renderJunit) },
} as const satisfies Record<string, Reporter>

export type ReporterName = keyof typeof REPORTERS

export { renderHtml, renderJson, renderJunit, renderMarkdown, renderMatrix, renderSummaryLines }
