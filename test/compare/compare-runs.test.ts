import { describe, expect, it } from 'vitest'
import { compareRuns } from '../../src/compare/compare-runs.js'
import { DEFAULT_SETTINGS, type CompareSettings } from '../../src/compare/types.js'
import { renderCompareJson, renderCompareJunit, renderCompareMarkdown, renderCompareTerminal } from '../../reports/compare/index.js'
import { plainStyle } from '../../reports/format/style.js'
import { around, cell, runReport, tierRun } from './fixtures.js'

const S = (o: Partial<CompareSettings> = {}): CompareSettings => ({ ...DEFAULT_SETTINGS, ...o })
// The decision rule as `ab` applies it (interleaved: no run-to-run caveat). Separate runs judged on raw
// values against one baseline run turn the same verdicts into `drift` (test/compare/drift.test.ts).
const cmp = (base: ReturnType<typeof runReport>, head: ReturnType<typeof runReport>, o: Partial<CompareSettings> = {}) =>
  compareRuns({ base, head, interleaved: true, baseSource: 'base.json', headSource: 'head.json' }, S(o))

const base = runReport({
  cells: [
    cell({ job: 'cpu.int', metric: 'ops', samples: around(1000, 8) }),
    cell({ job: 'sys.syscall', metric: 'latency', unit: 'ns', better: 'lower', samples: around(100, 8) }),
    cell({ job: 'mem.stream', metric: 'bw', unit: 'MB/s', samples: around(5000, 8) }),
    cell({ job: 'io.fsync', metric: 'latency', unit: 'us', better: 'lower', samples: around(300, 8) }),
  ],
})

describe('compareRuns verdicts', () => {
  it('throughput down 20% and latency up 20% are regressions; a 1% shift is unchanged; every number is present', () => {
    const head = runReport({
      cells: [
        cell({ job: 'cpu.int', metric: 'ops', samples: around(800, 8, 0.01, 3) }),
        cell({ job: 'sys.syscall', metric: 'latency', unit: 'ns', better: 'lower', samples: around(120, 8, 0.01, 3) }),
        cell({ job: 'mem.stream', metric: 'bw', unit: 'MB/s', samples: around(5050, 8, 0.01, 3) }),
        cell({ job: 'io.fsync', metric: 'latency', unit: 'us', better: 'lower', samples: around(240, 8, 0.01, 3) }),
      ],
    })
    const r = cmp(base, head)
    const v = Object.fromEntries(r.cells.map((c) => [c.job, c.verdict]))
    expect(v).toEqual({ 'cpu.int': 'regressed', 'sys.syscall': 'regressed', 'mem.stream': 'unchanged', 'io.fsync': 'improved' })
    expect(r.failed).toBe(true)
    expect(r.summary).toMatchObject({ regressed: 2, improved: 1, unchanged: 1 })
    const cpu = r.cells.find((c) => c.job === 'cpu.int')!
    expect(cpu.numbers.change).toBeCloseTo(-0.2, 2)
    expect(cpu.numbers.p).toBeCloseTo(2 / 12870, 10) // complete separation 8 vs 8: 2 / C(16,8)
    expect(cpu.numbers.shift.ci[1]).toBeLessThan(0)
    // sorted by magnitude: 1% change last
    expect(r.cells.at(-1)!.job).toBe('mem.stream')
  })

  it('significant but below threshold is unchanged; big but not significant is inconclusive', () => {
    const head = runReport({
      cells: [
        cell({ job: 'cpu.int', metric: 'ops', samples: around(1000 * 0.97, 8, 0.001) }),
        cell({ job: 'sys.syscall', metric: 'latency', unit: 'ns', better: 'lower', samples: [100, 160, 90, 170, 95, 150, 99, 180] }),
      ],
    })
    const b = runReport({
      cells: [
        cell({ job: 'cpu.int', metric: 'ops', samples: around(1000, 8, 0.001) }),
        cell({ job: 'sys.syscall', metric: 'latency', unit: 'ns', better: 'lower', samples: [100, 101, 99, 102, 98, 100, 101, 99] }),
      ],
    })
    const r = cmp(b, head)
    const cpu = r.cells.find((c) => c.job === 'cpu.int')!
    expect(cpu.verdict).toBe('unchanged')
    expect(cpu.reason).toMatch(/below the 10% threshold/)
    const sys = r.cells.find((c) => c.job === 'sys.syscall')!
    expect(sys.verdict).toBe('inconclusive')
    expect(sys.reason).toMatch(/not significant/)
    expect(r.failed).toBe(false)
  })

  it('too few samples is inconclusive and says how many are needed', () => {
    const b = runReport({ cells: [cell({ job: 'cpu.int', metric: 'ops', samples: [100, 101, 102] })] })
    const h = runReport({ cells: [cell({ job: 'cpu.int', metric: 'ops', samples: [50, 51, 52] })] })
    const c = cmp(b, h).cells[0]!
    expect(c.verdict).toBe('inconclusive')
    expect(c.reason).toMatch(/too few samples \(3 vs 3\).*at least 5 per side/)
  })

  it('added, removed, broken and fixed cells and tiers are listed, broken fails the regression policy', () => {
    const b = runReport({
      cells: [
        cell({ job: 'cpu.int', metric: 'ops', samples: around(1000, 6) }),
        cell({ job: 'cpu.fp', metric: 'ops', samples: around(1000, 6) }),
        cell({ job: 'io.seq', metric: 'bw', samples: around(1000, 6), failed: 'no scratch dir' }),
        cell({ tier: 'container', job: 'cpu.int', metric: 'ops', samples: around(1000, 6) }),
      ],
    })
    const h = runReport({
      cells: [
        cell({ job: 'cpu.int', metric: 'ops', samples: around(1000, 6), failed: 'agent died' }),
        cell({ job: 'io.seq', metric: 'bw', samples: around(1000, 6) }),
        cell({ job: 'net.rr', metric: 'latency', samples: around(1000, 6) }),
      ],
      tiers: [tierRun('native'), tierRun('container', {}, 'failed')],
    })
    const r = cmp(b, h)
    const changes = Object.fromEntries(r.unpaired.map((u) => [`${u.tier} ${u.job}`, u.change]))
    expect(changes).toEqual({
      'native cpu.int': 'broken',
      'native cpu.fp': 'removed',
      'native io.seq': 'fixed',
      'container cpu.int': 'broken',
      'native net.rr': 'added',
    })
    expect(r.tierChanges).toEqual([expect.objectContaining({ tier: 'container', change: 'broken' })])
    expect(r.failed).toBe(true)
    expect(r.failReasons.join()).toMatch(/broken/)
    expect(cmp(b, h, { failOn: 'never' }).failed).toBe(false)
  })

  it('fail-on any fails on an improvement, regression policy does not', () => {
    const h = runReport({
      cells: [
        cell({ job: 'cpu.int', metric: 'ops', samples: around(1300, 8) }),
        cell({ job: 'sys.syscall', metric: 'latency', unit: 'ns', better: 'lower', samples: around(100, 8, 0.01, 2) }),
        cell({ job: 'mem.stream', metric: 'bw', unit: 'MB/s', samples: around(5000, 8, 0.01, 2) }),
        cell({ job: 'io.fsync', metric: 'latency', unit: 'us', better: 'lower', samples: around(300, 8, 0.01, 2) }),
      ],
    })
    expect(cmp(base, h).failed).toBe(false)
    expect(cmp(base, h, { failOn: 'any' }).failReasons).toEqual(['1 improved'])
  })

  it('different host or tier config is not comparable; forced verdicts are marked; keys can be ignored', () => {
    const h = runReport({ cells: base.results, kernel: '6.8.0', tiers: [tierRun('native', { cpuQuota: 50 })] })
    const r = cmp(base, h)
    expect(r.comparability.comparable).toBe(false)
    expect(r.comparability.problems).toEqual(['host kernel: "6.1.0" -> "6.8.0"', 'tier native config cpuQuota: (absent) -> 50'])
    expect(r.cells).toHaveLength(0)
    expect(r.unpaired.every((u) => u.change === 'refused')).toBe(true)
    const forced = cmp(base, h, { forced: true })
    expect(forced.cells).toHaveLength(4)
    expect(forced.cells[0]!.notComparable.length).toBe(2)
    const ignored = cmp(base, h, { ignoreConfigKeys: ['host.kernel', 'native.cpuQuota'] })
    expect(ignored.comparability.comparable).toBe(true)
    expect(ignored.cells).toHaveLength(4)
  })

  it('different job params make a cell not comparable', () => {
    const h = runReport({ cells: [cell({ job: 'cpu.int', metric: 'ops', samples: around(1000, 8), params: { targetMs: 1000 } })] })
    const b = runReport({ cells: [cell({ job: 'cpu.int', metric: 'ops', samples: around(1000, 8) })] })
    const r = cmp(b, h)
    expect(r.comparability.problems[0]).toMatch(/params targetMs: 200 -> 1000/)
  })

  it('a partial run is noted', () => {
    const r = compareRuns({ base, head: { ...base, partial: true }, baseSource: 'base.json', headSource: 'head.json' }, S())
    expect(r.notes).toEqual([expect.stringMatching(/run-to-run noise: unknown/), expect.stringMatching(/head run is partial/)])
    expect(renderCompareTerminal(r, plainStyle())).toMatch(/note: the head run is partial/)
  })

  it('holm correction raises p-values across cells', () => {
    const h = runReport({
      cells: base.results.map((c) =>
        cell({ job: c.job, metric: c.metric, unit: c.unit, better: c.better, samples: c.samples.map((x) => x * 1.2) }),
      ),
    })
    const none = cmp(base, h)
    const holm = cmp(base, h, { correction: 'holm' })
    expect(holm.cells[0]!.numbers.pAdjusted).toBeCloseTo(4 * none.cells[0]!.numbers.p, 12)
  })
})

describe('renderers name the numbers behind each verdict', () => {
  const head = runReport({
    cells: [
      cell({ job: 'cpu.int', metric: 'ops', samples: around(800, 8, 0.01, 3) }),
      cell({ job: 'sys.syscall', metric: 'latency', unit: 'ns', better: 'lower', samples: around(100, 8, 0.01, 3) }),
      cell({ job: 'net.rr', metric: 'rtt', samples: around(10, 8) }),
    ],
  })
  const r = cmp(base, head)
  it('terminal', () => {
    const t = renderCompareTerminal(r, plainStyle(140))
    expect(t).toMatch(/regressed\s+native cpu\.int ops: median -20\.\d% worse/)
    expect(t).toContain('1000') // base median
    expect(t).toMatch(/p=0\.000\d/)
    expect(t).toMatch(/removed: native mem\.stream bw/)
    expect(t).toMatch(/added: native net\.rr rtt/)
    expect(t).toMatch(/FAIL \(--fail-on regression\): 1 regressed/)
  })
  it('markdown', () => {
    const m = renderCompareMarkdown(r)
    expect(m).toMatch(/^## virtcheck compare: ❌ 1 regressed/)
    expect(m).toMatch(
      /\| 🔴 regressed \| native \| cpu\.int \| ops \| 1000 \| \d+ \| ops\/s \| \*\*-20\.\d%\*\* \| \[-2\d\.\d%, -1\d\.\d%\] \| 0\.000\d \| 8\/8 \|/,
    )
    expect(m).toContain('<details><summary>1 unchanged</summary>')
  })
  it('junit: regression is a failure, removed is skipped', () => {
    const j = renderCompareJunit(r)
    expect(j).toMatch(/<testcase classname="virtcheck.compare.native" name="cpu.int ops" time="0"><failure/)
    expect(j).toMatch(/name="mem.stream bw" time="0"><skipped/)
    expect(j).toMatch(/<testsuites name="virtcheck compare" tests="5" failures="1"/)
  })
  it('json round-trips with unbounded intervals as null', () => {
    const b3 = runReport({ cells: [cell({ job: 'cpu.int', metric: 'ops', samples: [1, 2, 3] })] })
    const j = JSON.parse(renderCompareJson(cmp(b3, b3))) as { cells: { numbers: { shift: { ci: unknown[] } } }[]; schema: string }
    expect(j.schema).toBe('virtcheck-compare')
    expect(j.cells[0]!.numbers.shift.ci).toEqual([null, null])
  })
})
