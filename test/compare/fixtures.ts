// Builders for small, valid RunReports (they pass readRunReport's validation) with chosen samples.
import type { MetricResult, RunReport, TierRun } from '../../src/core/report.js'
import type { TierConfig, TierId } from '../../src/core/tier.js'
import { computeStats } from '../../src/stats/sample-summary.js'

export interface CellSpec {
  readonly tier?: TierId
  readonly job: string
  readonly metric: string
  readonly unit?: string
  readonly better?: 'higher' | 'lower'
  readonly samples: readonly number[]
  readonly params?: Readonly<Record<string, string | number>>
  readonly failed?: string
}

export const cell = (c: CellSpec): MetricResult => {
  const base = {
    tier: c.tier ?? 'native',
    job: c.job,
    metric: c.metric,
    unit: c.unit ?? 'ops/s',
    better: c.better ?? 'higher',
    params: c.params ?? { targetMs: 200 },
    samples: c.samples,
  } as const
  return c.failed !== undefined
    ? { ...base, state: 'failed', error: c.failed }
    : { ...base, state: 'ok', stats: computeStats(c.samples), flags: [] }
}

export const tierRun = (tier: TierId, config: TierConfig = {}, state: TierRun['state'] = 'completed'): TierRun => ({
  tier,
  state,
  config,
  durationMs: 1000,
  ...(state === 'completed' ? {} : { reason: 'agent did not start' }),
})

export const runReport = (o: {
  cells: readonly MetricResult[]
  tiers?: readonly TierRun[]
  hostname?: string
  kernel?: string
  label?: string
}): RunReport => {
  const tierIds = [...new Set(o.cells.map((c) => c.tier))]
  return {
    schema: 'virtcheck-run',
    schemaVersion: '1.0',
    tool: { name: 'virtcheck', version: '0.1.0' },
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:01:00.000Z',
    partial: false,
    ...(o.label === undefined ? {} : { label: o.label }),
    host: {
      hostname: o.hostname ?? 'bench1',
      cpuModel: 'Test CPU @ 2.0GHz',
      cpuCores: 2,
      memoryBytes: 8e9,
      kernel: o.kernel ?? '6.1.0',
      distro: 'Debian 12',
      arch: 'x86_64',
      virtRole: 'bare metal',
      nodeVersion: 'v20.0.0',
    },
    findings: [],
    readiness: [],
    tiers: o.tiers ?? tierIds.map((t) => tierRun(t)),
    results: o.cells,
    warnings: [],
    reproduce: { argv: ['bench'], mode: 'quick', settings: {}, versions: {} },
  }
}

/** n values around `center` with a deterministic spread of about ±spread (fraction). */
export const around = (center: number, n: number, spread = 0.01, phase = 0): number[] =>
  Array.from({ length: n }, (_, i) => center * (1 + spread * Math.sin(1.7 * (i + phase) + 0.3)))
