/**
 * The matrix model every renderer draws: rows are (job, metric), columns are (host, tier), cells are
 * values with their ratio to the same host's native run. Several reports merge as column groups, one
 * per host. Pure; presentation (colour, width, HTML) is the renderers' business.
 */
import type { MetricResult, RunReport, TierRun } from '../../src/core/report.js'
import { TIER_IDS } from '../../src/core/tier.js'
import { closeness, type Closeness } from '../format/numbers.js'
import { tierLabel } from './labels.js'

export type OkResult = Extract<MetricResult, { state: 'ok' }>

export interface MatrixColumn {
  readonly key: string
  readonly hostIndex: number
  readonly host: string
  readonly tier: string
  readonly tierLabel: string
  readonly run?: TierRun
}

export interface MatrixRow {
  readonly key: string
  readonly job: string
  readonly metric: string
  readonly unit: string
  readonly better: 'higher' | 'lower'
}

export type MatrixCell =
  | {
      readonly kind: 'ok'
      readonly result: OkResult
      /**
       * The result's ratioToNative (the median of pair ratios for tiers interleaved with native or with
       * native alongside, else
       * median(tier) / median(native)) in the metric's own units; absent when the host has no native value.
       */
      readonly ratio?: number
      readonly ratioCi?: readonly [number, number]
      readonly closeness?: Closeness
    }
  | { readonly kind: 'failed'; readonly reason: string; readonly logTail?: string }
  /** No result: the tier stopped before this job, or the job was not planned for it. */
  | { readonly kind: 'missing'; readonly reason: string }

export interface Matrix {
  readonly hosts: readonly string[]
  readonly columns: readonly MatrixColumn[]
  readonly rows: readonly MatrixRow[]
  /** cells[row][column] */
  readonly cells: readonly (readonly MatrixCell[])[]
}

const tierOrder = (tier: string): number => {
  const i = (TIER_IDS as readonly string[]).indexOf(tier)
  return i < 0 ? TIER_IDS.length : i
}

/** Host names for column groups; duplicates get their label or a number so groups stay distinct. */
export const hostNames = (reports: readonly RunReport[]): string[] => {
  const base = reports.map((r) => r.host.hostname || 'host')
  return base.map((name, i) => {
    if (base.filter((n) => n === name).length === 1) return name
    const label = reports[i]?.label
    return label ? `${name} (${label})` : `${name} #${i + 1}`
  })
}

/**
 * Tiers that get a column: every tier with at least one result. A tier that failed before its first
 * job has no column; the notes under the matrix (and the readiness section) explain it instead.
 */
const columnTiers = (report: RunReport): string[] => {
  const tiers = new Set<string>(report.results.map((r) => r.tier))
  return [...tiers].sort((a, b) => tierOrder(a) - tierOrder(b) || a.localeCompare(b))
}

const rowKey = (job: string, metric: string): string => `${job}\u0000${metric}`

const missingReason = (run: TierRun | undefined): string => {
  if (!run) return 'not measured'
  if (run.state === 'failed') return run.reason ? `tier failed: ${run.reason}` : 'tier failed'
  if (run.state === 'interrupted') return 'interrupted'
  return 'not planned'
}

export const buildMatrix = (reports: readonly RunReport[]): Matrix => {
  const hosts = hostNames(reports)
  const columns: MatrixColumn[] = reports.flatMap((report, hostIndex) =>
    columnTiers(report).map((tier) => {
      const run = report.tiers.find((t) => t.tier === tier)
      const host = hosts[hostIndex] ?? ''
      return { key: `${hostIndex}:${tier}`, hostIndex, host, tier, tierLabel: tierLabel(tier), ...(run ? { run } : {}) }
    }),
  )
  const rows: MatrixRow[] = []
  const seen = new Set<string>()
  for (const report of reports)
    for (const r of report.results) {
      const key = rowKey(r.job, r.metric)
      if (seen.has(key)) continue
      seen.add(key)
      rows.push({ key, job: r.job, metric: r.metric, unit: r.unit, better: r.better })
    }
  const cells = rows.map((row) =>
    columns.map((col): MatrixCell => {
      const report = reports[col.hostIndex]
      const found = report?.results.find((r) => r.tier === col.tier && r.job === row.job && r.metric === row.metric)
      if (!found) return { kind: 'missing', reason: missingReason(col.run) }
      if (found.state === 'failed') return { kind: 'failed', reason: found.error, ...(found.logTail ? { logTail: found.logTail } : {}) }
      return okCell(found, report)
    }),
  )
  return { hosts, columns, rows, cells }
}

/** Ratio from the report when the runner computed it (with CI); otherwise from the two medians. */
const okCell = (result: OkResult, report: RunReport | undefined): MatrixCell => {
  let ratio: number | undefined
  let ratioCi: readonly [number, number] | undefined
  if (result.ratioToNative) {
    ratio = result.ratioToNative.value
    ratioCi = result.ratioToNative.ci95
  } else if (result.tier === 'native') {
    ratio = 1
  } else {
    const native = report?.results.find(
      (r): r is OkResult => r.tier === 'native' && r.state === 'ok' && r.job === result.job && r.metric === result.metric,
    )
    if (native && native.stats.median !== 0) ratio = result.stats.median / native.stats.median
  }
  return {
    kind: 'ok',
    result,
    ...(ratio === undefined ? {} : { ratio, closeness: closeness(ratio, result.better) }),
    ...(ratioCi ? { ratioCi } : {}),
  }
}

export const okCells = (m: Matrix): number => m.cells.flat().filter((c) => c.kind === 'ok').length
