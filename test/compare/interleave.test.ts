// The A/B loop against fake sessions whose machine "drifts" over time: interleaving cancels the drift
// that a sequential A-then-B run would report as a regression.
import { describe, expect, it } from 'vitest'
import type { JobOutcome, JobRequest, TierSession } from '../../src/core/tier.js'
import { cpuFor, rotateCpu, walkCpus } from '../../src/bench/cpu-walk.js'
import { orderFor, runInterleaved } from '../../src/compare/ab/interleave.js'
import { allowedCpusFromStatus, parseCpuList } from '../../src/parse/cpu-list.js'
import { abRunReports, compareAb } from '../../src/compare/ab/ab-report.js'
import { DEFAULT_SETTINGS } from '../../src/compare/types.js'
import { runReport } from './fixtures.js'

/** A shared clock: every repetition on either side makes the machine 1% slower (linear drift). */
const machine = () => {
  let t = 0
  const calls: string[] = []
  const session = (name: string, slowdown: number, failOn?: number): TierSession => {
    let n = 0
    return {
      tier: 'container',
      config: { runtime: 'built-in', cpuQuota: name === 'A' ? 100 : 50 },
      async run(req: JobRequest): Promise<JobOutcome> {
        n++
        calls.push(name)
        if (failOn !== undefined && n === failOn) return { kind: 'failed', reason: 'agent died', logTail: 'segfault' }
        const latency = 100 * slowdown * (1 + 0.01 * t++) * (1 + 0.001 * Math.sin(n))
        return {
          kind: 'ok',
          samples: [{ job: req.job, metric: 'latency', unit: 'ns', better: 'lower', value: latency, rep: n, durationMs: 1, short: false }],
        }
      },
      async close() {},
    }
  }
  return { session, calls }
}

const base = (() => {
  const { tiers: _t, results: _r, partial: _p, finishedAt: _f, label: _l, ...rest } = runReport({ cells: [] })
  return rest
})()
const never = new AbortController().signal

describe('interleaved A/B', () => {
  it('runs AB BA AB ... and discards warm-up', async () => {
    const m = machine()
    const r = await runInterleaved({
      a: m.session('A', 1),
      b: m.session('B', 1),
      jobs: [{ job: 'sys.syscall', params: {} }],
      reps: 3,
      warmup: 1,
      signal: never,
    })
    expect(m.calls.join('')).toBe('ABBAABBA')
    expect(r.order).toEqual(['sys.syscall: AB BA AB BA'])
    expect(r.a[0]!.samples).toHaveLength(3)
    expect([0, 1, 2, 3].map((i) => orderFor(i).join(''))).toEqual(['AB', 'BA', 'AB', 'BA'])
  })

  it('pins both repetitions of a pair to one CPU; over 2n pairs each CPU hosts one AB and one BA pair', async () => {
    const m = machine()
    const pins: unknown[] = []
    const spy = (s: TierSession): TierSession => ({ ...s, run: (req) => (pins.push(req.params['pinCpu']), s.run(req)) })
    const r = await runInterleaved({
      a: spy(m.session('A', 1)),
      b: spy(m.session('B', 1)),
      jobs: [{ job: 'sys.syscall', params: { mode: 'quick' } }],
      reps: 4,
      warmup: 0,
      signal: never,
      pinCpus: [0, 1],
    })
    expect(r.order).toEqual(['sys.syscall: AB@0 BA@1 AB@1 BA@0'])
    expect(pins).toEqual([0, 0, 1, 1, 1, 1, 0, 0])
    const four = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `${orderFor(i).join('')}@${cpuFor(i, [0, 1, 2, 3])}`)
    expect(new Set(four).size).toBe(8)
    expect(cpuFor(3, [])).toBeUndefined()
  })

  it('walks at most 4 CPUs, spread over a big host; bench rotates through them', () => {
    expect(walkCpus([0, 1])).toEqual([0, 1])
    expect(walkCpus(Array.from({ length: 64 }, (_, i) => i))).toEqual([0, 16, 32, 48])
    expect(walkCpus([2, 3, 5, 7, 11, 13])).toEqual([2, 3, 7, 11])
    expect([0, 1, 2, 3, 4].map((i) => rotateCpu(i, [4, 9]))).toEqual([4, 9, 4, 9, 4])
  })

  it('reads kernel CPU lists', () => {
    expect(parseCpuList('0-2,5,7-8\n')).toEqual([0, 1, 2, 5, 7, 8])
    expect(parseCpuList('x')).toEqual([])
    expect(allowedCpusFromStatus('Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n')).toEqual([0, 1])
  })

  it('A/A under drift: interleaved reports no regression where sequential runs would', async () => {
    const m = machine()
    const loop = await runInterleaved({
      a: m.session('A', 1),
      b: m.session('B', 1),
      jobs: [{ job: 'sys.syscall', params: {} }],
      reps: 12,
      warmup: 0,
      signal: never,
    })
    const { a, b } = abRunReports(
      'container',
      loop,
      { A: { config: { cpuQuota: 100 }, options: {} }, B: { config: { cpuQuota: 100 }, options: {} } },
      base,
      base.startedAt,
      1,
    )
    expect(compareAb(a, b, DEFAULT_SETTINGS).summary.regressed).toBe(0)

    // The same machine, sequential: all of A then all of B -> drift of ~12% looks like a regression.
    const s = machine()
    const sa = s.session('A', 1)
    const sb = s.session('B', 1)
    const valuesA: number[] = []
    const valuesB: number[] = []
    for (let i = 0; i < 12; i++)
      valuesA.push(((await sa.run({ job: 'j', reps: 1, params: {} })) as Extract<JobOutcome, { kind: 'ok' }>).samples[0]!.value)
    for (let i = 0; i < 12; i++)
      valuesB.push(((await sb.run({ job: 'j', reps: 1, params: {} })) as Extract<JobOutcome, { kind: 'ok' }>).samples[0]!.value)
    const { testCell, decide } = await import('../../src/compare/verdict.js')
    const t = testCell(valuesA, valuesB, 0.01)
    expect(decide(t, t.numbers.p, 'lower', 0.01, 5).verdict).toBe('regressed')
  })

  it('a planted 2x slowdown on B is a regression, with the differing option not blocking the comparison', async () => {
    const m = machine()
    const loop = await runInterleaved({
      a: m.session('A', 1),
      b: m.session('B', 2),
      jobs: [{ job: 'cpu.int', params: { targetMs: 100 } }],
      reps: 6,
      warmup: 1,
      signal: never,
    })
    const { a, b } = abRunReports(
      'container',
      loop,
      {
        A: { config: { cpuQuota: 100 }, options: { 'cpu-quota': '100' } },
        B: { config: { cpuQuota: 50 }, options: { 'cpu-quota': '50' } },
      },
      base,
      base.startedAt,
      1,
    )
    expect(a.label).toBe('A: cpu-quota=100')
    expect(a.tiers[0]!.config['abOrder']).toBe('cpu.int: AB BA AB BA AB BA AB')
    const c = compareAb(a, b, DEFAULT_SETTINGS)
    expect(c.comparability.comparable).toBe(true)
    expect(c.cells[0]).toMatchObject({ verdict: 'regressed', job: 'cpu.int' })
    expect(c.cells[0]!.numbers.change).toBeCloseTo(1, 1)
  })

  it('a failing side is data: its cells fail, the job stops, the next job runs', async () => {
    const m = machine()
    const loop = await runInterleaved({
      a: m.session('A', 1),
      b: m.session('B', 1, 3),
      jobs: [
        { job: 'j1', params: {} },
        { job: 'j2', params: {} },
      ],
      reps: 5,
      warmup: 0,
      signal: never,
    })
    expect(loop.b[0]!.failure).toEqual({ reason: 'agent died', logTail: 'segfault' })
    expect(loop.a[1]!.samples.length).toBe(5)
    const { a, b } = abRunReports(
      'container',
      loop,
      { A: { config: {}, options: {} }, B: { config: {}, options: {} } },
      base,
      base.startedAt,
      1,
    )
    expect(b.results.find((r) => r.job === 'j1')).toMatchObject({ state: 'failed', error: 'agent died' })
    const c = compareAb(a, b, DEFAULT_SETTINGS)
    expect(c.unpaired).toEqual([expect.objectContaining({ job: 'j1', change: 'broken' })])
    expect(c.failed).toBe(true)
  })

  it('stops at once when aborted', async () => {
    const m = machine()
    const ac = new AbortController()
    ac.abort()
    const loop = await runInterleaved({
      a: m.session('A', 1),
      b: m.session('B', 1),
      jobs: [{ job: 'j', params: {} }],
      reps: 5,
      warmup: 0,
      signal: ac.signal,
    })
    expect(loop.interrupted).toBe(true)
    expect(m.calls).toEqual([])
  })
})
