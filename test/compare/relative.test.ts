// --relative-to native: cells become ratios to native from the same run, and a host-wide slowdown cancels.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunReport } from '../../src/core/report.js'
import { compareRuns } from '../../src/compare/compare-runs.js'
import { relativeToNative, PAIRING } from '../../src/compare/relative.js'
import { pairedRatios } from '../../src/stats/sample-summary.js'
import { DEFAULT_SETTINGS, type CompareSettings } from '../../src/compare/types.js'
import { around, cell, runReport, tierRun } from './fixtures.js'
import { runCli } from '../helpers/run-cli.js'

/** native and container cpu.int measured interleaved; `host` scales both (a slower host), `tier` the container only. */
const run = (host: number, tier = 1, interleaved = true): RunReport =>
  runReport({
    cells: [
      cell({ tier: 'native', job: 'cpu.int', metric: 'ops', samples: around(1000 * host, 8, 0.2) }),
      // the same CPU swings as native, repetition by repetition (same phase), 5% container cost
      cell({ tier: 'container', job: 'cpu.int', metric: 'ops', samples: around(950 * host * tier, 8, 0.2) }),
    ],
    tiers: [
      { ...tierRun('native'), ...(interleaved ? { interleavedWith: ['native', 'container'] as const } : {}) },
      { ...tierRun('container'), ...(interleaved ? { interleavedWith: ['native', 'container'] as const } : {}) },
    ],
  })

const relative: CompareSettings = { ...DEFAULT_SETTINGS, relativeTo: 'native' }
const compare = (base: RunReport, head: RunReport, settings = relative) =>
  compareRuns({ base, head, baseSource: 'base', headSource: 'head' }, settings)

describe('relativeToNative', () => {
  it('pairs interleaved samples repetition by repetition and drops native cells', () => {
    const r = relativeToNative(run(1))
    expect(r.results.map((x) => x.tier)).toEqual(['container'])
    const c = r.results[0]!
    expect(c.unit).toBe('× native')
    expect(c.params['relativeTo']).toBe(PAIRING.perRepetition)
    // same phase on both sides: every ratio is 0.95, the 20% swing cancels
    for (const v of c.samples) expect(v).toBeCloseTo(0.95, 10)
  })

  it("without interleaving, divides by native's median; the pairing is part of the params", () => {
    const c = relativeToNative(run(1, 1, false)).results[0]!
    expect(c.params['relativeTo']).toBe(PAIRING.byMedian)
    expect(Math.max(...c.samples) - Math.min(...c.samples)).toBeGreaterThan(0.2) // the swing stays
  })

  it("a guest with native's samples from alongside it pairs with those, not with native's own cells", () => {
    const native = around(1000, 8, 0.2)
    // native alongside the guest ran at half speed, in the same phase as the guest
    const alongside = native.map((v) => v / 2)
    const guest = {
      ...cell({ tier: 'tcg-virtio', job: 'cpu.int', metric: 'ops', samples: alongside.map((v) => v * 0.3) }),
      nativeAlongside: alongside,
    }
    const r = relativeToNative(
      runReport({
        cells: [cell({ tier: 'native', job: 'cpu.int', metric: 'ops', samples: native }), guest],
        tiers: [tierRun('native'), { ...tierRun('tcg-virtio'), interleavedWith: ['tcg-virtio', 'tcg-emulated'] as const }],
      }),
    )
    const c = r.results[0]!
    expect(c.params['relativeTo']).toBe(PAIRING.perRepetition)
    for (const v of c.samples) expect(v).toBeCloseTo(0.3, 10)
  })

  it('native did not complete: every cell fails with that reason, and the comparison calls them broken', () => {
    const r = run(1)
    const down = {
      ...r,
      tiers: r.tiers.map((t) => (t.tier === 'native' ? { ...t, state: 'failed' as const, reason: 'agent did not start' } : t)),
      results: [r.results[1]!],
    }
    expect(relativeToNative(down).results[0]).toMatchObject({
      state: 'failed',
      error: 'native did not complete in this run (failed: agent did not start)',
    })
    const c = compare(run(1), down)
    // the container's ratio cannot be formed, and native itself (judged on raw values) broke
    expect(c.unpaired.map((u) => [u.tier, u.change]).sort()).toEqual([
      ['container', 'broken'],
      ['native', 'broken'],
    ])
    expect(c.failed).toBe(true)
  })

  it('a cell whose native failed fails with that reason', () => {
    const r = run(1)
    const broken = {
      ...r,
      results: [cell({ tier: 'native', job: 'cpu.int', metric: 'ops', samples: [], failed: 'agent died' }), r.results[1]!],
    }
    expect(relativeToNative(broken).results[0]).toMatchObject({ state: 'failed', error: 'native failed in this run: agent died' })
  })

  it('pairedRatios uses the repetitions both sides have and skips a zero native sample', () => {
    expect(pairedRatios([2, 4, 6, 8], [1, 0, 3])).toEqual([2, 2])
  })
})

describe('compareRuns --relative-to native', () => {
  it('a host 30% slower in the head run: drift? in absolute terms, unchanged relative to native (the default)', () => {
    const abs = compare(run(1), run(0.7), { ...DEFAULT_SETTINGS, relativeTo: 'none' })
    expect(abs.judgedOn.basis).toBe('absolute')
    expect(abs.cells.map((c) => c.verdict)).toEqual(['drift', 'drift'])
    expect(abs.cells.find((c) => c.tier === 'container')?.reason).toMatch(/unconfirmed: single baseline run/)
    expect(abs.failed).toBe(false)
    expect(compare(run(1), run(0.7), { ...DEFAULT_SETTINGS, relativeTo: 'none', failOn: 'drift' }).failReasons).toEqual([
      '2 worse but possibly run-to-run drift',
    ])
    for (const settings of [relative, DEFAULT_SETTINGS]) {
      const rel = compare(run(1), run(0.7), settings)
      expect(rel.judgedOn.basis).toBe('native')
      // native stays in the comparison on its raw values: a single baseline run cannot tell its -30% from drift
      expect(rel.cells.map((c) => [c.tier, c.verdict])).toEqual([
        ['native', 'drift'],
        ['container', 'unchanged'],
      ])
      expect(rel.notes[0]).toMatch(/^relative to native: /)
      expect(rel.failed).toBe(false)
    }
  })

  it('the tier itself 30% slower is a regression relative to native, named in ratios', () => {
    const rel = compare(run(1), run(1, 0.7))
    expect(rel.cells[0]).toMatchObject({ tier: 'container', verdict: 'regressed', unit: '× native' })
    expect(rel.cells[0]!.numbers.medianBase).toBeCloseTo(0.95, 6)
    expect(rel.cells[0]!.numbers.medianHead).toBeCloseTo(0.665, 6)
  })

  it('interleaved and not interleaved runs are not compared with each other', () => {
    const rel = compare(run(1, 1, false), run(1))
    expect(rel.comparability.comparable).toBe(false)
    expect(rel.comparability.problems.join()).toMatch(/relativeTo: "native median" -> "native, per repetition"/)
  })

  it('a run without native is refused with a one-line reason', () => {
    const noNative = runReport({ cells: [cell({ tier: 'container', job: 'cpu.int', metric: 'ops', samples: around(950, 8) })] })
    expect(() => compare(run(1), noNative)).toThrow(/--relative-to native: head: it has no native tier \(run with --tiers native,\.\.\.\)/)
  })
})

describe('virtcheck compare --relative-to', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'virtcheck-relative-test-'))
    await writeFile(join(dir, 'base.json'), JSON.stringify(run(1)))
    await writeFile(join(dir, 'slowhost.json'), JSON.stringify(run(0.7)))
    await writeFile(
      join(dir, 'nonative.json'),
      JSON.stringify(runReport({ cells: [cell({ tier: 'container', job: 'cpu.int', metric: 'ops', samples: around(950, 8) })] })),
    )
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('a slower host: exit 0 by default and relative to native, drift? in absolute terms, exit 1 only with --fail-on drift', async () => {
    for (const extra of [[], ['--relative-to', 'native']]) {
      const r = await runCli(['compare', 'base.json', 'slowhost.json', ...extra], dir)
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/tier cells on ratios to native from the same run, native on raw values: regression = /)
      expect(r.stdout).toMatch(/drift\?\s+native cpu\.int ops: median -30\.\d% worse/)
    }
    const abs = await runCli(['compare', 'base.json', 'slowhost.json', '--absolute'], dir)
    expect(abs.code, abs.stderr).toBe(0)
    expect(abs.stdout).toMatch(/0 regressed, 0 improved, 0 unchanged, 0 inconclusive, 2 drift\?/)
    expect((await runCli(['compare', 'base.json', 'slowhost.json', '--absolute', '--fail-on', 'drift'], dir)).code).toBe(1)
    const both = await runCli(['compare', 'base.json', 'slowhost.json', '--absolute', '--relative-to', 'native'], dir)
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/^error: compare: --absolute contradicts --relative-to native\n/)
  })

  it('bad input: one line, exit 2', async () => {
    const bad = await runCli(['compare', 'base.json', 'slowhost.json', '--relative-to', 'podman'], dir)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^error: compare: --relative-to must be one of auto, none, native, got "podman"\n/)
    const none = await runCli(['compare', 'base.json', 'nonative.json', '--relative-to', 'native'], dir)
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^error: --relative-to native: nonative\.json: it has no native tier/)
    expect(none.stderr).not.toMatch(/\n\s+at /)
  })
})
