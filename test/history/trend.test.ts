import { describe, expect, it } from 'vitest'
import { buildTrends, DEFAULT_TREND } from '../../src/history/trend.js'
import { newEntry, emptyIndex } from '../../src/history/index-file.js'
import { toBencher, toGithubActionBenchmark, renderExport } from '../../src/history/export.js'
import { renderHistoryHtml } from '../../reports/history/html.js'
import { renderHistoryMarkdown } from '../../reports/history/markdown.js'
import { cell, runReport, tierRun } from '../compare/fixtures.js'

const runOf = (median: number, i: number, o: { kernel?: string; quota?: number } = {}) => {
  const run = {
    ...runReport({
      cells: [cell({ job: 'cpu.int', metric: 'ops', samples: [median * 0.99, median, median * 1.01] })],
      tiers: [tierRun('native', o.quota === undefined ? {} : { quota: o.quota })],
      ...(o.kernel ? { kernel: o.kernel } : {}),
    }),
    startedAt: `2025-01-${String(i + 1).padStart(2, '0')}T00:00:00.000Z`,
  }
  return { entry: newEntry(emptyIndex(), run, { label: `run ${i}`, commit: `c0ffee${i}`, now: new Date(0) }), run }
}

describe('rolling baseline', () => {
  // medians 1000, 1010, 990, 1005, 995 -> baseline median 1000, MAD 5 -> band ± 3*1.4826*5 = ±22.2
  const stable = [1000, 1010, 990, 1005, 995].map((m, i) => runOf(m, i))
  it('no judgement before minHistory comparable runs; within the band afterwards', () => {
    const t = buildTrends([...stable, runOf(1010, 5)])[0]!
    expect(t.points.slice(0, 3).map((p) => p.state)).toEqual(['no-baseline', 'no-baseline', 'no-baseline'])
    expect(t.points[5]!.state).toBe('within')
    expect(t.points[5]!.baseline!.median).toBe(1000)
    expect(t.points[5]!.baseline!.high).toBeCloseTo(1000 + 3 * 1.4826 * 5, 9)
  })
  it('a 10% drop outside the band is a regression; a rise is an improvement', () => {
    expect(buildTrends([...stable, runOf(900, 5)])[0]!.points[5]!.state).toBe('regressed')
    expect(buildTrends([...stable, runOf(1100, 5)])[0]!.points[5]!.state).toBe('improved')
  })
  it('outside a zero-width band but below the threshold is not a regression', () => {
    const flat = [1000, 1000, 1000, 1000].map((m, i) => runOf(m, i))
    expect(buildTrends([...flat, runOf(980, 4)])[0]!.points[4]!.state).toBe('within')
  })
  it('runs with another host or tier config are not part of the baseline', () => {
    const t = buildTrends([...stable, runOf(500, 5, { kernel: '6.8' }), runOf(520, 6, { quota: 50 })])[0]!
    expect(t.points[5]!.state).toBe('no-baseline')
    expect(t.points[6]!.state).toBe('no-baseline')
  })
  it('window limits the baseline to the last N comparable runs', () => {
    const t = buildTrends([...stable, runOf(1000, 5)], { ...DEFAULT_TREND, window: 3 })[0]!
    expect(t.points[5]!.baseline!.runs).toBe(3)
  })
  it('html is self-contained with a CSP, SVG chart, labels and commits; markdown lists the regression', () => {
    const runs = [...stable, runOf(900, 5)]
    const trends = buildTrends(runs)
    const html = renderHistoryHtml(runs, trends, DEFAULT_TREND)
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`)
    expect(html).toMatch(/<svg [^>]*role="img"/)
    expect(html).toContain('c0ffee5')
    expect(html).toContain('run 5')
    expect(html).not.toMatch(/<script/)
    expect(html).toMatch(/1 regression\(s\) in the latest run/)
    const later = [...runs, runOf(1000, 6)]
    expect(renderHistoryHtml(later, buildTrends(later), DEFAULT_TREND)).toMatch(
      /Earlier runs outside their band[\s\S]*native cpu\.int ops: regressed -10\.0% in run 5 \(c0ffee5\)/,
    )
    expect(renderHistoryMarkdown(runs, trends, DEFAULT_TREND)).toMatch(
      /\| native \| cpu\.int \| ops \| 900 ops\/s \| 1000 \| .* \| -10\.0% \| regressed \|/,
    )
  })
})

describe('exports', () => {
  const r = runReport({
    cells: [
      cell({ job: 'cpu.int', metric: 'ops', samples: [99, 100, 101, 100, 100, 100] }),
      cell({ job: 'sys.syscall', metric: 'latency', unit: 'ns', better: 'lower', samples: [50, 51, 49, 50, 50, 50] }),
      cell({ job: 'io.seq', metric: 'bw', samples: [1], failed: 'no disk' }),
    ],
  })
  it('github-action-benchmark splits by direction and skips failed cells', () => {
    const g = toGithubActionBenchmark(r)
    expect(g.customBiggerIsBetter).toEqual([expect.objectContaining({ name: 'native/cpu.int/ops', unit: 'ops/s', value: 100 })])
    expect(g.customSmallerIsBetter).toEqual([expect.objectContaining({ name: 'native/sys.syscall/latency', unit: 'ns', value: 50 })])
    expect(JSON.parse(renderExport(r, 'github-action-benchmark', 'smaller'))).toHaveLength(1)
  })
  it('bencher metric format', () => {
    const b = toBencher(r)
    expect(Object.keys(b)).toEqual(['native/cpu.int', 'native/sys.syscall'])
    expect(b['native/cpu.int']!['ops (ops/s)']).toMatchObject({ value: 100 })
    const m = b['native/sys.syscall']!['latency (ns)']!
    expect(m.lower_value).toBeLessThanOrEqual(m.value)
    expect(m.upper_value).toBeGreaterThanOrEqual(m.value)
  })
})
