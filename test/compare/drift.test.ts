// Separate runs compared with `compare` defaults: tier cells are judged as ratios to native from the
// same run, and a raw-value change against one baseline run is `drift`, not a verdict that fails.
// The shapes are the ones seen on the development host (issue: two quick runs of one configuration,
// mem.stream +10% ... +38% on native and container alike, "5 improved" with nothing changed).
import { describe, expect, it } from 'vitest'
import type { RunReport } from '../../src/core/report.js'
import { compareRuns } from '../../src/compare/compare-runs.js'
import { DEFAULT_SETTINGS, type CompareSettings } from '../../src/compare/types.js'
import { renderCompareJunit, renderCompareMarkdown, renderCompareTerminal } from '../../reports/compare/index.js'
import { plainStyle } from '../../reports/format/style.js'
import { around, cell, runReport, tierRun } from './fixtures.js'

const KERNELS = ['copy', 'scale', 'add', 'triad'] as const
const together = { interleavedWith: ['native', 'container'] as const }

/**
 * One quick run of native + container, interleaved: `host[k]` scales mem.stream kernel k on both arms
 * (the host's memory bandwidth in this run), `cpuHost` cpu.int and sys.syscall; `quota` slows the
 * container's CPU-bound jobs only, `containerMem` its mem.stream only (a whole run's offset of the
 * container's ratio). `phase` makes each run's repetition noise its own.
 */
const quickRun = (o: { host?: readonly number[]; cpuHost?: number; quota?: number; containerMem?: number; phase: number }): RunReport => {
  const host = o.host ?? [1, 1, 1, 1]
  const cpuHost = o.cpuHost ?? 1
  const quota = o.quota ?? 1
  const cells = (['native', 'container'] as const).flatMap((tier) => {
    const q = tier === 'container' ? quota : 1
    const m = tier === 'container' ? (o.containerMem ?? 1) : 1
    return [
      cell({ tier, job: 'cpu.int', metric: 'ops', samples: around(15000 * cpuHost * q, 8, 0.02, o.phase) }),
      cell({
        tier,
        job: 'sys.syscall',
        metric: 'syscall',
        unit: 'ns',
        better: 'lower',
        samples: around(85 / (cpuHost * q), 8, 0.02, o.phase + 1),
      }),
      ...KERNELS.map((k, i) =>
        cell({ tier, job: 'mem.stream', metric: k, unit: 'MB/s', samples: around(20000 * host[i]! * m, 8, 0.02, o.phase + 2 + i) }),
      ),
    ]
  })
  return runReport({
    cells,
    tiers: [
      { ...tierRun('native'), ...together },
      { ...tierRun('container'), ...together },
    ],
  })
}

const cmp = (base: RunReport, head: RunReport, o: Partial<CompareSettings> = {}) =>
  compareRuns({ base, head, baseSource: 'a.json', headSource: 'b.json' }, { ...DEFAULT_SETTINGS, ...o })

describe('compare defaults between separate runs', () => {
  // the host's memory bandwidth 12-38% higher in the second run, on both arms
  const a = quickRun({ phase: 0 })
  const b = quickRun({ host: [1.12, 1.22, 1.38, 1.3], phase: 3 })

  it('an A/A pair with a 10-38% mem.stream shift on native and container: 0 regressed, 0 improved, exit 0', () => {
    const r = cmp(a, b)
    expect(r.judgedOn.basis).toBe('native')
    expect(r.summary).toMatchObject({ regressed: 0, improved: 0 })
    expect(r.failed).toBe(false)
    // the container's ratios are unchanged: the shift cancels
    for (const k of KERNELS)
      expect(r.cells.find((c) => c.tier === 'container' && c.metric === k)).toMatchObject({ unit: '× native', verdict: 'unchanged' })
    // native's own raw values did move: marked drift?, with the reason, not counted as improved
    const native = r.cells.filter((c) => c.tier === 'native' && c.job === 'mem.stream')
    expect(native.map((c) => c.verdict)).toEqual(['drift', 'drift', 'drift', 'drift'])
    expect(native[0]!.reason).toMatch(/better .*unconfirmed: single baseline run, judged on raw values/)
    expect(r.summary).toMatchObject({ drift: 4, driftWorse: 0 })
    expect(renderCompareTerminal(r, plainStyle(160))).toMatch(/0 regressed, 0 improved, \d+ unchanged, 0 inconclusive, 4 drift\?/)
    expect(renderCompareMarkdown(r)).toMatch(/\| 🟠 drift\? \| native \| mem\.stream \| add \|/)
    expect(renderCompareJunit(r)).toMatch(/failures="0"/)
    // the same pair the other way round: the drift is "worse", and still does not fail by default
    const back = cmp(b, a)
    expect(back.summary).toMatchObject({ regressed: 0, improved: 0, drift: 4, driftWorse: 4 })
    expect(back.failed).toBe(false)
    expect(cmp(b, a, { failOn: 'drift' }).failReasons).toEqual(['4 worse but possibly run-to-run drift'])
    expect(cmp(a, b, { failOn: 'drift' }).failed).toBe(false) // better drift fails only under any
    expect(cmp(a, b, { failOn: 'any' }).failReasons).toEqual(['4 better but possibly run-to-run drift'])
  })

  it('without native in both runs the default is raw values, and every passing change is drift?', () => {
    const containerOnly = (r: RunReport): RunReport => ({
      ...r,
      results: r.results.filter((c) => c.tier === 'container'),
      tiers: r.tiers.filter((t) => t.tier === 'container'),
    })
    const r = cmp(containerOnly(a), containerOnly(b))
    expect(r.judgedOn).toMatchObject({ basis: 'absolute', why: expect.stringMatching(/did not complete native/) })
    expect(r.summary).toMatchObject({ regressed: 0, improved: 0, drift: 4 })
    expect(r.notes.join('\n')).toMatch(/run-to-run noise: unknown .* marked `drift`/)
  })

  it('--absolute: the raw values are judged, the same pair is 8 drift? cells and 0 verdicts', () => {
    const r = cmp(a, b, { relativeTo: 'none' })
    expect(r.judgedOn.basis).toBe('absolute')
    expect(r.summary).toMatchObject({ regressed: 0, improved: 0, drift: 8 })
  })

  it('a planted 30% container slowdown (cpu-quota) in a separate run is still caught, on a host that also drifted', () => {
    const slowed = quickRun({ host: [1.15, 1.2, 1.3, 1.25], cpuHost: 0.9, quota: 0.7, phase: 5 })
    const r = cmp(a, slowed)
    const v = Object.fromEntries(r.cells.filter((c) => c.tier === 'container').map((c) => [`${c.job} ${c.metric}`, c.verdict]))
    expect(v).toMatchObject({
      'cpu.int ops': 'regressed',
      'sys.syscall syscall': 'regressed',
      'mem.stream copy': 'unchanged',
      'mem.stream triad': 'unchanged',
    })
    const cpu = r.cells.find((c) => c.tier === 'container' && c.job === 'cpu.int')!
    expect(cpu.numbers.change).toBeCloseTo(-0.3, 1)
    expect(r.summary.regressed).toBe(2)
    expect(r.failed).toBe(true)
    expect(r.failReasons).toEqual(['2 regressed'])
  })

  it("a whole run's offset of a tier's ratio (container mem.stream 0.92 in one run, 1.03 in the next) is drift?; a 20% change is a verdict", () => {
    // the shape of benchmarks/results/compare-aa-2026-12-04T1906Z.txt: "improved +11.7%" with nothing changed
    const low = quickRun({ containerMem: 0.92, phase: 6 })
    const r = cmp(low, quickRun({ containerMem: 1.03, phase: 7 }))
    const mem = r.cells.filter((c) => c.tier === 'container' && c.job === 'mem.stream')
    expect(mem.map((c) => c.verdict)).toEqual(['drift', 'drift', 'drift', 'drift'])
    expect(mem[0]!.unit).toBe('× native')
    expect(mem[0]!.reason).toMatch(
      /better .*unconfirmed: single baseline run; the ratio to native cancels host drift, yet .* below 15% can be drift/,
    )
    expect(r.summary).toMatchObject({ regressed: 0, improved: 0, drift: 4, driftWorse: 0 })
    expect(r.failed).toBe(false)
    expect(cmp(low, quickRun({ containerMem: 1.03, phase: 7 }), { failOn: 'any' }).failReasons).toEqual([
      '4 better but possibly run-to-run drift',
    ])
    const slower = cmp(quickRun({ phase: 8 }), quickRun({ containerMem: 0.8, phase: 9 }))
    expect(slower.cells.filter((c) => c.tier === 'container' && c.job === 'mem.stream').map((c) => c.verdict)).toEqual([
      'regressed',
      'regressed',
      'regressed',
      'regressed',
    ])
  })

  it('against a 3-run baseline the band decides a ratio change: 12% outside it is a regression', () => {
    const history = [quickRun({ phase: 1 }), quickRun({ containerMem: 1.01, phase: 2 })]
    const r = compareRuns(
      { base: a, earlier: history, head: quickRun({ containerMem: 0.88, phase: 4 }), baseSource: 'hist', headSource: 'b.json' },
      DEFAULT_SETTINGS,
    )
    const mem = r.cells.filter((c) => c.tier === 'container' && c.job === 'mem.stream')
    expect(mem.map((c) => c.verdict)).toEqual(['regressed', 'regressed', 'regressed', 'regressed'])
    expect(r.summary.drift).toBe(0)
  })

  it('a multi-run baseline (3 runs) judges raw values against their band: no drift? marking there', () => {
    const history = [quickRun({ phase: 1 }), quickRun({ host: [1.01, 0.99, 1.02, 1], phase: 2 })]
    const r = compareRuns(
      { base: a, earlier: history, head: quickRun({ cpuHost: 0.6, phase: 4 }), baseSource: 'hist', headSource: 'b.json' },
      { ...DEFAULT_SETTINGS, relativeTo: 'none' },
    )
    expect(r.cells.find((c) => c.tier === 'native' && c.job === 'cpu.int')).toMatchObject({ verdict: 'regressed' })
    expect(r.summary.drift).toBe(0)
  })
})
