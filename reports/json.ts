/** The JSON renderer: the RunReport itself, two-space indented, newline-terminated (diff-friendly). */
import type { RunReport } from '../src/core/report.js'

export const renderJson = (report: RunReport): string => JSON.stringify(report, null, 2) + '\n'
