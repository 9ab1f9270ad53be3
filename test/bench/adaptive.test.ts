import { describe, expect, it } from 'vitest'
import { nextBatch, runAdaptive } from '../../src/bench/adaptive.js'
import { fakeSession } from './fake-session.js'

const policy = { minReps: 3, maxReps: 50, ciTarget: 0.02, jobBudgetMs: 1e9, deadline: 1e12 }

describe('runAdaptive', () => {
  it('stops as soon as the CI target is met (constant samples: after the minimum)', async () => {
    const clock = { t: 0 }
    const s = fakeSession('native', () => 100, { clock })
    const r = await runAdaptive(s, { job: 'cpu.int', params: {} }, policy, { now: () => clock.t })
    expect(r.stop).toBe('ci-reached')
    expect(r.reps).toBe(3)
    expect(s.requests.map((q) => q.reps)).toEqual([3])
  })

  it('keeps repeating a noisy job until max reps, keeping every sample numbered 1..n', async () => {
    const clock = { t: 0 }
    const s = fakeSession('native', (_j, n) => (n % 2 ? 100 : 130), { clock })
    const r = await runAdaptive(s, { job: 'cpu.int', params: {} }, { ...policy, maxReps: 12 }, { now: () => clock.t })
    expect(r.stop).toBe('max-reps')
    expect(r.reps).toBe(12)
    expect(r.samples.map((x) => x.rep)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(r.ciHalfWidth).toBeGreaterThan(0.02)
  })

  it('with repetitions walking the CPUs, stops on the CI target only after whole walks', async () => {
    const clock = { t: 0 }
    const s = fakeSession('native', () => 100, { clock })
    const r = await runAdaptive(s, { job: 'cpu.int', params: {} }, policy, { now: () => clock.t, maxBatch: 1, repsMultipleOf: 2 })
    expect(r.stop).toBe('ci-reached')
    expect(r.reps).toBe(4) // the minimum is 3; the 4th completes the second walk over 2 CPUs
    expect(s.requests.map((q) => q.reps)).toEqual([1, 1, 1, 1])
  })

  it('reaches the CI once enough samples narrow it (alternating ±1 %)', async () => {
    const clock = { t: 0 }
    const s = fakeSession('native', (_j, n) => (n % 2 ? 99 : 101), { clock })
    const r = await runAdaptive(s, { job: 'cpu.int', params: {} }, { ...policy, ciTarget: 0.015 }, { now: () => clock.t })
    expect(r.stop).toBe('ci-reached')
  })

  it('stops on the job budget and on the run deadline', async () => {
    const clock = { t: 0 }
    const noisy = (_j: string, n: number) => (n % 2 ? 100 : 150)
    const a = await runAdaptive(
      fakeSession('native', noisy, { clock, msPerRep: 100 }),
      { job: 'x', params: {} },
      { ...policy, jobBudgetMs: 1000 },
      { now: () => clock.t },
    )
    expect(a.stop).toBe('job-budget')
    expect(a.elapsedMs).toBeLessThanOrEqual(1000)
    clock.t = 0
    const b = await runAdaptive(
      fakeSession('native', noisy, { clock, msPerRep: 100 }),
      { job: 'x', params: {} },
      { ...policy, deadline: 700 },
      { now: () => clock.t },
    )
    expect(b.stop).toBe('run-budget')
    expect(b.reps).toBeGreaterThanOrEqual(3)
    clock.t = 1000
    const c = await runAdaptive(
      fakeSession('native', noisy, { clock }),
      { job: 'x', params: {} },
      { ...policy, deadline: 500 },
      { now: () => clock.t },
    )
    expect(c).toMatchObject({ stop: 'run-budget', reps: 0 })
  })

  it('records a failure and an abort', async () => {
    const f = await runAdaptive(
      fakeSession('native', () => 1, { failJobs: ['x'] }),
      { job: 'x', params: {} },
      policy,
    )
    expect(f).toMatchObject({ stop: 'failed', failure: { reason: 'x: boom', logTail: 'fake tail' } })
    const ac = new AbortController()
    ac.abort()
    const i = await runAdaptive(
      fakeSession('native', () => 1),
      { job: 'x', params: {} },
      policy,
      { signal: ac.signal },
    )
    expect(i.stop).toBe('interrupted')
  })

  it('a fixed repetition count runs exactly that many', async () => {
    const s = fakeSession('native', (_j, n) => n)
    const r = await runAdaptive(s, { job: 'x', params: {} }, { ...policy, minReps: 7, maxReps: 7 })
    expect(r).toMatchObject({ reps: 7, stop: 'max-reps' })
  })

  it('requires every metric of a job to meet the target', async () => {
    const clock = { t: 0 }
    const s = fakeSession('native', (_j, n) => (n % 2 ? 100 : 140), { clock, metrics: ['a', 'b'] })
    const r = await runAdaptive(s, { job: 'x', params: {} }, { ...policy, maxReps: 9 }, { now: () => clock.t })
    expect(r.stop).toBe('max-reps')
    expect(r.samples).toHaveLength(18)
  })

  it('batch sizing respects max reps and time left', () => {
    expect(nextBatch(3, 50, 100, 1e9)).toBe(1)
    expect(nextBatch(10, 50, 100, 1e9)).toBe(5)
    expect(nextBatch(10, 12, 100, 1e9)).toBe(2)
    expect(nextBatch(10, 50, 100, 250)).toBe(2)
  })
})
