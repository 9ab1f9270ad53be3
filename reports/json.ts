/** The JSON renderer: the RunReport itself, two-space indented, newline-terminated (diff-friendly). */
import type { RunReport } from '../src/core/report.js'
import { jsonText } from './format/json-text.js'

export const renderJson = (report: RunReport): string => jsonText(report)
