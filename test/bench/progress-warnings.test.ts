import { describe, expect, it } from 'vitest'
import { createProgress, estimateEtaMs, formatEta, formatJobProgress } from '../../src/bench/progress.js'
import { cellWarnings } from '../../src/bench/warnings.js'
import { computeStats } from '../../src/stats/sample-summary.js'
import { plainStyle } from '../../reports/format/style.js'
import type { TierSample } from '../../src/core/tier.js'

const samples = (values: number[], extra: Partial<TierSample> = {}): TierSample[] =>
  values.map((value, i) => ({
    job: 'cpu.int',
    metric: 'ops',
    unit: 'op/s',
    better: 'higher',
    value,
    rep: i + 1,
    durationMs: 200,
    short: false,
    ...extra,
  }))

describe('progress', () => {
  it('formats ETA and lines', () => {
    expect(formatEta(65_000)).toBe('1m05s')
    expect(formatEta(9_400)).toBe('9s')
    expect(estimateEtaMs(10_000, 2, 6, 1e9)).toBe(20_000)
    expect(estimateEtaMs(10_000, 2, 6, 5_000)).toBe(5_000) // never beyond the deadline
    expect(
      formatJobProgress({ tier: 'container', job: 'cpu.int', reps: 4, ciHalfWidth: 0.0123, cell: 2, cells: 10, finished: false }, 30_000),
    ).toBe('[3/10] container cpu.int: 4 reps, CI ±1.2%, ~30s left')
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
    cellWarnings({
      tier: 'container',
      job: 'cpu.int',
      metric: 'ops',
      better: 'higher',
      samples: s,
      stats: computeStats(s.map((x) => x.value)),
      stop,
      ciTarget: 0.02,
    })
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
  it('cpu-differs: a walked cell whose CPUs do not overlap names both, with their medians', () => {
    const walked = (values: number[], better: 'higher' | 'lower' = 'higher') =>
      cellWarnings({
        tier: 'native',
        job: 'cpu.int',
        metric: 'ops',
        better,
        samples: samples(values),
        stats: computeStats(values),
        stop: 'max-reps',
        ciTarget: 0.02,
        cpus: [0, 1],
      })
    // CPU 0 gets repetitions 0, 2, 4...; CPU 1 gets 1, 3, 5... (the values of this VM's two vCPUs)
    const w = walked([12000, 16000, 12300, 16300, 11800, 15900])
    expect(w.flags).toContain('cpu-differs')
    // the spread is the CPUs': the noisy warning says so instead of blaming other processes
    expect(w.warnings.find((x) => x.code === 'noisy')?.hint).toMatch(/^Most of the spread is between CPUs/)
    expect(w.warnings.find((x) => x.code === 'cpu-differs')?.message).toBe(
      'cpu.int ops in native: every repetition on CPU 1 was better than every one on CPU 0 (medians 16000 and 12000, 33.3% apart)',
    )
    // lower is better: CPU 0 is the better one
    expect(walked([6.6, 8.6, 6.5, 8.7, 6.7, 8.5], 'lower').warnings.find((x) => x.code === 'cpu-differs')?.message).toMatch(
      /on CPU 0 was better than every one on CPU 1/,
    )
    // overlapping CPUs, a gap under 10%, too few repetitions per CPU, or no walk: no warning
    expect(walked([12000, 16000, 15000, 12500, 11800, 15900]).flags).not.toContain('cpu-differs')
    expect(walked([100, 105, 100, 105, 100, 105]).flags).not.toContain('cpu-differs')
    expect(walked([12000, 16000, 12300, 16300]).flags).not.toContain('cpu-differs')
    expect(cell(samples([12000, 16000, 12300, 16300, 11800, 15900])).flags).not.toContain('cpu-differs')
  })
})
