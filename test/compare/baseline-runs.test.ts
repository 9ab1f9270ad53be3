// A multi-run baseline: separate runs of one configuration drift (measured here: io.fsync medians of
// 127 µs in some runs, 186 µs in others, each run tight within itself). With several baseline runs
// the verdict must see that drift; with one it must say it cannot.
import { describe, expect, it } from 'vitest'
import { compareRuns } from '../../src/compare/compare-runs.js'
import { chooseBaseline } from '../../src/compare/load-baseline.js'
import { configIdentity } from '../../src/compare/config-identity.js'
import { DEFAULT_SETTINGS } from '../../src/compare/types.js'
import { renderCompareMarkdown, renderCompareTerminal } from '../../reports/compare/index.js'
import { plainStyle } from '../../reports/format/style.js'
import { configFingerprint } from '../../src/history/fingerprint.js'
import type { RunReport } from '../../src/core/report.js'
import { around, cell, runReport, tierRun } from './fixtures.js'

const fsyncRun = (center: number, i: number, o: { kernel?: string; config?: Record<string, string> } = {}): RunReport => ({
  ...runReport({
    cells: [
      cell({ tier: 'container', job: 'io.fsync', metric: 'fsync', unit: 'µs', better: 'lower', samples: around(center, 6, 0.02, i) }),
    ],
    tiers: [tierRun('container', o.config ?? { runtime: 'built-in' })],
    ...(o.kernel ? { kernel: o.kernel } : {}),
  }),
  startedAt: `2025-01-01T00:${String(i).padStart(2, '0')}:00.000Z`,
})

const fromHistory = (runs: RunReport[]) => runs.map((report) => ({ report, fromHistory: true }))
const compare = (runs: RunReport[], head: RunReport, o = {}) => {
  const b = chooseBaseline(fromHistory(runs), head, ['hist'], [])
  return compareRuns(
    { base: b.primary, earlier: b.earlier, head, baseSource: b.source, headSource: 'head.json' },
    { ...DEFAULT_SETTINGS, ...o },
  )
}

describe('compare against a multi-run baseline', () => {
  // Five runs, two of them in a slow-disk episode: medians ~127, 130, 186, 128, 184.
  const history = [127, 130, 186, 128, 184].map((m, i) => fsyncRun(m, i))

  it('one baseline run: a drift episode in the head is marked drift?, not a regression, and the report says run-to-run noise is unknown', () => {
    const r = compare([history[0]!], fsyncRun(186, 9))
    expect(r.cells[0]!.verdict).toBe('drift')
    expect(r.failed).toBe(false)
    expect(r.cells[0]!.numbers.baseRuns).toBe(1)
    expect(r.cells[0]!.numbers.runToRun).toBeUndefined()
    expect(r.notes[0]).toMatch(/run-to-run noise: unknown/)
  })

  it('five baseline runs, two in the episode: the same head is not significant against their pooled samples, so inconclusive', () => {
    const r = compare(history, fsyncRun(186, 9))
    const c = r.cells[0]!
    expect(c.numbers.baseRuns).toBe(5)
    expect(c.numbers.nBase).toBe(30) // samples pooled
    expect(c.numbers.medianBase).toBe(median([127, 130, 186, 128, 184].map((m, i) => median(around(m, 6, 0.02, i)))))
    // the MAD ignores a minority of episode runs: the band stays narrow, the pooled test carries the episode
    expect(c.numbers.runToRun!.runs).toBe(5)
    expect(c.numbers.runToRun!.high).toBeLessThan(150)
    expect(c.verdict).toBe('inconclusive')
    expect(c.reason).toMatch(/not significant against the pooled samples of 5 baseline runs/)
    expect(r.failed).toBe(false)
    expect(r.base.runs).toBe(5)
    expect(r.notes[0]).toMatch(/multi-run baseline: 5 runs loaded/)
  })

  it('baseline runs that scatter widely: a head inside their band is inconclusive, whatever its own p-value', () => {
    const broad = [120, 140, 160, 180, 200].map((m, i) => fsyncRun(m, i))
    const c = compare(broad, fsyncRun(205, 9)).cells[0]!
    expect(c.verdict).toBe('inconclusive')
    expect(c.reason).toMatch(/inside the run-to-run noise of the baseline: 5 runs, medians [\d.]+ ± \+[\d.]+%/)
  })

  it('a slowdown beyond the band is still a regression, and the reason names the band', () => {
    const r = compare(history, fsyncRun(400, 9))
    expect(r.cells[0]!.verdict).toBe('regressed')
    expect(r.cells[0]!.reason).toMatch(/outside the run-to-run band \[[\d.]+, [\d.]+\] of 5 baseline runs/)
    const t = renderCompareTerminal(r, plainStyle(160))
    expect(t).toMatch(/AND outside the run-to-run band/)
    expect(t).toMatch(/30 \(5 runs\)\/6/)
    expect(renderCompareMarkdown(r)).toMatch(/\| 30 \(5 runs\)\/6 \|/)
  })

  it('a quiet history gives a narrow band: a 46% slowdown on it is a regression', () => {
    const quiet = [127, 130, 126, 128, 129].map((m, i) => fsyncRun(m, i))
    expect(compare(quiet, fsyncRun(186, 9)).cells[0]!.verdict).toBe('regressed')
  })

  it('runs on another kernel or with another tier config do not join the baseline; the window keeps the newest', () => {
    const mixed = [
      ...history,
      fsyncRun(500, 5, { kernel: '6.8.0' }),
      fsyncRun(500, 6, { config: { runtime: 'built-in', cpuQuotaPct: '50' } }),
    ]
    const r = compare(mixed, fsyncRun(186, 9))
    expect(r.cells[0]!.numbers.baseRuns).toBe(5)
    expect(r.base.runs).toBe(7)
    const w = compare(history, fsyncRun(186, 9), { window: 2 })
    expect(w.cells[0]!.numbers.baseRuns).toBe(2)
    expect(w.cells[0]!.numbers.runToRun).toBeUndefined() // 2 runs: no band yet
  })

  it('the head run itself is never part of its baseline', () => {
    const head = fsyncRun(186, 9)
    expect(() => chooseBaseline(fromHistory([head]), head, ['hist'], [])).toThrow(/no run other than the head run itself/)
    expect(chooseBaseline(fromHistory([...history, head]), head, ['hist'], []).earlier).toHaveLength(4)
    // named as a file, it is compared as asked
    expect(chooseBaseline([{ report: head, fromHistory: false }], head, ['head.json'], []).primary).toBe(head)
  })
})

describe('a history with a bad newest run (review findings)', () => {
  const history = [127, 130, 126, 128, 129].map((m, i) => fsyncRun(m, i))
  const cpuRun = (i: number): RunReport => ({
    ...runReport({ cells: [cell({ job: 'cpu.int', metric: 'ops', samples: around(1000, 6, 0.01, i) })] }),
    startedAt: `2025-01-01T00:${String(i).padStart(2, '0')}:30.000Z`,
  })

  it('the cell failed in the newest run: judged against the older runs where it worked, not "fixed"', () => {
    const failedLast: RunReport = {
      ...fsyncRun(127, 5),
      results: [
        cell({ tier: 'container', job: 'io.fsync', metric: 'fsync', unit: 'µs', better: 'lower', samples: [], failed: 'timed out' }),
      ],
    }
    const r = compare([...history, failedLast], fsyncRun(260, 9))
    expect(r.unpaired).toEqual([])
    expect(r.cells[0]).toMatchObject({ verdict: 'regressed', numbers: { baseRuns: 5 } })
    expect(r.failed).toBe(true)
  })

  it('the newest run lacks the head\'s tier: an older complete run is the reference, nothing is "added"', () => {
    const r = compare([...history, cpuRun(8)], fsyncRun(260, 9))
    expect(r.unpaired).toEqual([])
    expect(r.cells[0]!.verdict).toBe('regressed')
  })

  it('the head named among the baseline files, and a run given twice, count once', () => {
    const head = fsyncRun(150, 9)
    const files = [...history, history[4]!, head].map((report) => ({ report, fromHistory: false }))
    const b = chooseBaseline(files, head, ['runs/*.json'], [])
    expect(1 + b.earlier.length).toBe(5)
    expect([b.primary, ...b.earlier]).not.toContain(head)
  })

  it('two baseline runs: no band, so the rule and the notes do not claim one', () => {
    const r = compare(history.slice(0, 2), fsyncRun(186, 9))
    expect(r.cells[0]!.numbers.runToRun).toBeUndefined()
    expect(renderCompareTerminal(r, plainStyle(160))).not.toMatch(/outside the run-to-run band/)
    const one = compare(history, fsyncRun(186, 9), { window: 1 })
    expect(one.notes[0]).toMatch(/run-to-run noise: unknown/)
  })
})

describe('config identity', () => {
  const run1 = {
    network: 'veth vcc0 10.213.0.2/30 -> peer namespace virtcheck-24770-0',
    scratch: '/tmp/a/.virtcheck/scratch bind-mounted at /scratch',
    qemuCommand: 'qemu -name virtcheck-1-tcg',
    bootToUserspaceMs: 812,
    kernelCmdline: 'quiet virtcheck.ip=10.213.0.6/30',
    cpuQuotaPct: 'none',
  }
  const run2 = {
    ...run1,
    network: 'veth vcc2 10.213.0.10/30 -> peer namespace virtcheck-99-0',
    scratch: '/srv/ci/.virtcheck/scratch bind-mounted at /scratch',
    qemuCommand: 'qemu -name virtcheck-2-tcg',
    bootToUserspaceMs: 790,
    kernelCmdline: 'quiet virtcheck.ip=10.213.0.2/30',
  }
  it('two runs of one configuration share the identity and the history fingerprint', () => {
    expect(configIdentity(run1)).toEqual(configIdentity(run2))
    expect(configFingerprint(run1)).toBe(configFingerprint(run2))
  })
  it('a real difference still shows', () => {
    expect(configFingerprint({ ...run2, cpuQuotaPct: 50 })).not.toBe(configFingerprint(run1))
    expect(configIdentity({ network: 'none (only lo)' })).not.toEqual(configIdentity({ network: run1.network }))
  })
})

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
