import { describe, expect, it } from 'vitest'
import { compareRuns } from '../../src/compare/compare-runs.js'
import { applyConfirmation, confirmationScope } from '../../src/compare/confirm.js'
import { DEFAULT_SETTINGS } from '../../src/compare/types.js'
import { renderCompareTerminal } from '../../reports/compare/index.js'
import { plainStyle } from '../../reports/format/style.js'
import { around, cell, runReport } from './fixtures.js'

const run = (fsync: number, cpu: number, tier: 'native' | 'container' = 'container') =>
  runReport({
    cells: [
      cell({ tier, job: 'io.fsync', metric: 'fsync', unit: 'µs', better: 'lower', samples: around(fsync, 6, 0.02, 1) }),
      cell({ tier, job: 'cpu.int', metric: 'ops', samples: around(cpu, 6, 0.01, 2) }),
    ],
  })
// The gate's usual baseline: a history of 3 runs, so raw-value verdicts have a run-to-run band (with
// one baseline run they would be `drift`, test/compare/drift.test.ts).
const history = [run(128.3, 15840), run(125.7, 16160)]
const cmp = (base: ReturnType<typeof run>, head: ReturnType<typeof run>, source: string) =>
  compareRuns({ base, earlier: history, head, baseSource: 'base.json', headSource: source }, DEFAULT_SETTINGS)

describe('confirmation of regressions (gate)', () => {
  const base = run(127, 16000)
  // first run: a slow-disk episode (fsync +46%) and a real CPU slowdown (-50%)
  const first = cmp(base, run(186, 8000), 'first.json')

  it('the scope is the regressed tiers and jobs', () => {
    expect(first.summary.regressed).toBe(2)
    expect(confirmationScope(first)).toEqual({ tiers: ['container'], jobs: expect.arrayContaining(['io.fsync', 'cpu.int']) })
    expect(confirmationScope(cmp(base, run(127, 16000), 'x'))).toBeUndefined()
  })

  it('a regression that reproduces stands; one that does not becomes inconclusive with both sets of numbers', () => {
    const second = cmp(base, run(128, 8100), 'second.json')
    const r = applyConfirmation(first, second, 30)
    const v = Object.fromEntries(r.cells.map((c) => [c.job, c]))
    expect(v['cpu.int']!.verdict).toBe('regressed')
    expect(v['cpu.int']!.reason).toMatch(/confirmed by a second run 30 s later \(second\.json\): 1\d{4} -> 8\d{3} ops\/s \(-49\.\d%/)
    expect(v['io.fsync']!.verdict).toBe('inconclusive')
    expect(v['io.fsync']!.reason).toMatch(
      /^did not reproduce: first run 127 -> 18\d µs \(\+4\d\.\d%.*a second run 30 s later \(second\.json\): unchanged, 127 -> 12\d µs/,
    )
    expect(v['io.fsync']!.confirmation).toMatchObject({ verdict: 'unchanged', source: 'second.json' })
    expect(r.summary).toMatchObject({ regressed: 1, inconclusive: 1 })
    expect(r.failed).toBe(true)
    expect(r.notes.at(-1)).toMatch(/2 regressed cell\(s\) were measured again 30 s later .*: 1 confirmed, 1 did not reproduce/)
    expect(renderCompareTerminal(r, plainStyle(160))).toMatch(/FAIL \(--fail-on regression\): 1 regressed/)
  })

  it('a regression without a second result stands, and the note counts it', () => {
    const second = compareRuns(
      {
        base,
        earlier: history,
        head: runReport({ cells: [cell({ tier: 'container', job: 'cpu.int', metric: 'ops', samples: around(8000, 6, 0.01, 2) })] }),
        baseSource: 'base.json',
        headSource: 'second.json',
      },
      DEFAULT_SETTINGS,
    )
    const r = applyConfirmation(first, second, 30)
    const fsync = r.cells.find((c) => c.job === 'io.fsync')!
    expect(fsync.verdict).toBe('regressed')
    expect(fsync.reason).toMatch(/no comparable result for this cell, so the regression stands/)
    expect(r.summary.regressed).toBe(2)
    expect(r.notes.at(-1)).toMatch(
      /the 2 regressed cell\(s\) were measured again .*1 confirmed, 0 did not reproduce, 1 without a second result/,
    )
  })

  it('a second run just under the threshold in the same direction, significant, still confirms', () => {
    const r = applyConfirmation(first, cmp(base, run(127, 16000 * 0.93), 'second.json'), 30)
    expect(r.cells.find((c) => c.job === 'cpu.int')!.verdict).toBe('regressed')
  })

  it('a second round: a regression must reproduce again; a sag that lasted through one re-measurement is dropped', () => {
    const afterOne = applyConfirmation(first, cmp(base, run(180, 8100), 'second.json'), 30)
    expect(afterOne.summary.regressed).toBe(2)
    expect(confirmationScope(afterOne)).toEqual({ tiers: ['container'], jobs: expect.arrayContaining(['io.fsync', 'cpu.int']) })
    const r = applyConfirmation(afterOne, cmp(base, run(128, 8050), 'third.json'), 30, 2)
    const v = Object.fromEntries(r.cells.map((c) => [c.job, c]))
    expect(v['cpu.int']!.verdict).toBe('regressed')
    expect(v['cpu.int']!.reason).toMatch(
      /confirmed by a second run 30 s later \(second\.json\).*; confirmed by a third run 30 s later \(third\.json\): 1\d{4} -> 8\d{3} ops\/s/,
    )
    expect(v['io.fsync']!.verdict).toBe('inconclusive')
    expect(v['io.fsync']!.reason).toMatch(
      /^did not reproduce: first run 127 -> 18\d µs .*regressed; the second run \(second\.json\) still regressed; a third run 30 s later \(third\.json\): unchanged, 127 -> 12\d µs/,
    )
    expect(v['io.fsync']!.confirmation).toMatchObject({ verdict: 'unchanged', source: 'third.json' })
    expect(r.notes.at(-1)).toMatch(
      /^confirmation 2: the 2 regressed cell\(s\) were measured again 30 s later \(third\.json\): 1 confirmed, 1 did not reproduce$/,
    )
    // a cell dropped in round 1 is not measured or counted again
    const dropped = applyConfirmation(
      applyConfirmation(first, cmp(base, run(128, 8100), 'second.json'), 30),
      cmp(base, run(190, 8100), 'third.json'),
      30,
      2,
    )
    expect(dropped.cells.find((c) => c.job === 'io.fsync')!.verdict).toBe('inconclusive')
    expect(dropped.notes.at(-1)).toMatch(/the 1 regressed cell\(s\) were measured again .*: 1 confirmed, 0 did not reproduce$/)
  })

  it('nothing reproduces: the gate passes', () => {
    const r = applyConfirmation(first, cmp(base, run(127, 16050), 'second.json'), 5)
    expect(r.summary.regressed).toBe(0)
    expect(r.failed).toBe(false)
  })
})
