/**
 * Exports for existing dashboards, from one RunReport (the latest in a history, or a single result):
 * - github-action-benchmark "custom" JSON: the array for `customBiggerIsBetter` or `customSmallerIsBetter`
 *   (`{name, unit, value, range?, extra?}`); the tool takes one direction per series file, so the
 *   export is an object with both arrays and the CI recipe writes each to its own file.
 * - Bencher Metric Format: `{ "<benchmark>": { "<measure>": { value, lower_value, upper_value } } }`,
 *   with the 95% CI of the median as the bounds.
 */
import type { RunReport } from '../core/report.js'
import { jsonText } from '../../reports/format/json-text.js'

export const EXPORT_FORMATS = ['github-action-benchmark', 'bencher'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface GabEntry {
  readonly name: string
  readonly unit: string
  readonly value: number
  readonly range?: string
  readonly extra?: string
}

export interface GabExport {
  readonly customBiggerIsBetter: readonly GabEntry[]
  readonly customSmallerIsBetter: readonly GabEntry[]
}

const ok = (r: RunReport) => r.results.flatMap((m) => (m.state === 'ok' ? [m] : []))

export const toGithubActionBenchmark = (r: RunReport): GabExport => {
  const entries = ok(r).map((m) => ({
    better: m.better,
    e: {
      name: `${m.tier}/${m.job}/${m.metric}`,
      unit: m.unit,
      value: m.stats.median,
      range: `± ${Number(((m.stats.ci95[1] - m.stats.ci95[0]) / 2).toPrecision(3))}`,
      extra: `n=${m.stats.n} cv=${(m.stats.cv * 100).toFixed(1)}% 95% CI of median [${m.stats.ci95[0]}, ${m.stats.ci95[1]}]${r.label ? ` label=${r.label}` : ''}`,
    },
  }))
  return {
    customBiggerIsBetter: entries.filter((x) => x.better === 'higher').map((x) => x.e),
    customSmallerIsBetter: entries.filter((x) => x.better === 'lower').map((x) => x.e),
  }
}

export type BencherMetricFormat = Record<string, Record<string, { value: number; lower_value: number; upper_value: number }>>

/** Benchmark = `tier/job`, measure = `metric (unit)`; Bencher measures are named by slug on the server side. */
export const toBencher = (r: RunReport): BencherMetricFormat => {
  const out: BencherMetricFormat = {}
  for (const m of ok(r)) {
    const bench = (out[`${m.tier}/${m.job}`] ??= {})
    bench[`${m.metric} (${m.unit})`] = { value: m.stats.median, lower_value: m.stats.ci95[0], upper_value: m.stats.ci95[1] }
  }
  return out
}

export const DIRECTIONS = ['bigger', 'smaller'] as const
export type Direction = (typeof DIRECTIONS)[number]

/**
 * `direction` picks the plain array the action reads (`tool: customBiggerIsBetter` / `customSmallerIsBetter`);
 * without it the github-action-benchmark export is an object holding both arrays.
 */
export const renderExport = (r: RunReport, format: ExportFormat, direction?: Direction): string => {
  if (format === 'bencher') return jsonText(toBencher(r))
  const g = toGithubActionBenchmark(r)
  const body = direction === 'bigger' ? g.customBiggerIsBetter : direction === 'smaller' ? g.customSmallerIsBetter : g
  return jsonText(body)
}
