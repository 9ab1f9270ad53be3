import { describe, expect, it } from 'vitest'
import { createProgress, estimateEtaMs, formatEta, formatJobProgress } from '../../src/bench/progress.js'
import { cellWarnings } from '../../src/bench/warnings.js'
import { computeStats } from '../../src/bench/stats.js'
import { plainStyle } from '../../src/render/style.js'
import type { TierSample } from '../../src/core/tier.js'

const samples = (values: number[], extra: Partial<TierSample> = {}): TierSample[] =>
  values.map((value, i) => ({ job: 'cpu.int', metric: 'ops', unit: 'op/s', better: 'higher', value, rep: i + 1, durationMs: 200, short: false, ...extra }))

describe('progress', () => {
  it('formats ETA and lines', () => {
    expect(formatEta(65_000)).toBe('1m05s')
    expect(formatEta(9_400)).toBe('9s')
    expect(estimateEtaMs(10_000, 2, 6, 1e9)).toBe(20_000)
    expect(estimateEtaMs(10_000, 2, 6, 5_000)).toBe(5_000) // never beyond the deadline
    expect(formatJobProgress({ tier: 'container', job: 'cpu.int', reps: 4, ciHalfWidth: 0.0123, cell: 2, cells: 10, finished: false }, 30_000)).toBe(
      '[3/10] container cpu.int: 4 reps, CI ±1.2%, ~30s left',
    )
  })
  it('updates one line on a TTY and prints plain lines otherwise', () => {
    let tty = ''
    const p = createProgress({ write: (t) => (tty += t), isTTY: true }, plainStyle(), { runBudgetMs: 60_000 })
    p.job({ tier: 'native', job: 'cpu.int', reps: 1, ciHalfWidth: Infinity, cell: 0, cells: 2, finished: false })
    p.job({ tier: 'native', job: 'cpu.int', reps: 3, ciHalfWidth: 0.01, cell: 0, cells: 2, finished: true })
    p.done()
    expect(tty.split('\r\x1b[K').length).toBe(4)
    expect(tty).not.toContain('\n')
    let plain = ''
    const q = createProgress({ write: (t) => (plain += t), isTTY: false }, plainStyle(), { runBudgetMs: 60_000 })
    q.job({ tier: 'native', job: 'cpu.int', reps: 1, ciHalfWidth: Infinity, cell: 0, cells: 2, finished: false })
    q.job({ tier: 'native', job: 'cpu.int', reps: 3, ciHalfWidth: 0.01, cell: 0, cells: 2, finished: true })
    expect(plain.trim().split('\n')).toHaveLength(1)
  })
})

describe('warnings', () => {
  const cell = (s: TierSample[], stop: 'ci-reached' | 'max-reps' = 'ci-reached') =>
    cellWarnings({ tier: 'container', job: 'cpu.int', metric: 'ops', better: 'higher', samples: s, stats: computeStats(s.map((x) => x.value)), stop, ciTarget: 0.02 })
  it('a clean cell has no flags', () => {
    expect(cell(samples([100, 100.5, 99.5, 100, 100.2, 99.8])).flags).toEqual([])
  })
  it('noisy, short, steal, first-run-slow, outliers', () => {
    expect(cell(samples([100, 130, 100, 130, 100, 130]), 'max-reps').flags).toContain('noisy')
    expect(cell(samples([100, 100, 100], { short: true })).flags).toContain('short')
    expect(cell(samples([100, 100, 100], { stealTicksDelta: 3 })).flags).toContain('steal')
    const slow = cell(samples([40, 100, 101, 99, 100, 100]))
    expect(slow.flags).toContain('first-run-slow')
    expect(slow.warnings.find((w) => w.code === 'first-run-slow')?.hint).toBeTruthy()
    expect(cell(samples([100, 101, 99, 100, 100, 10])).flags).toContain('outliers')
  })
})
