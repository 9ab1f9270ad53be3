import { describe, expect, it } from 'vitest'
import type { JobOutcome, JobRequest } from '../../src/core/tier.js'
import { pinnedRunner, takeTurns } from '../../src/bench/group-turns.js'

const req = (job: string): JobRequest => ({ job, params: {}, reps: 1 })

describe('takeTurns', () => {
  it('runs one request at a time across the group, in the order they were sent, and counts each its own time', async () => {
    const clock = { t: 0 }
    const log: string[] = []
    let inFlight = 0
    let most = 0
    const slow = (name: string, ms: number) => ({
      run: async (r: JobRequest): Promise<JobOutcome> => {
        inFlight++
        most = Math.max(most, inFlight)
        log.push(`${name}:${r.job}:start`)
        await new Promise((res) => setTimeout(res, 5))
        clock.t += ms
        log.push(`${name}:${r.job}:end`)
        inFlight--
        return { kind: 'ok', samples: [] }
      },
    })
    const turns = takeTurns(() => clock.t)
    const busy = { a: 0, b: 0 }
    const a = turns(slow('a', 30), (ms) => (busy.a += ms))
    const b = turns(slow('b', 70), (ms) => (busy.b += ms))
    await Promise.all([a.run(req('x')), b.run(req('x')), a.run(req('y'))])
    expect(most).toBe(1)
    expect(log).toEqual(['a:x:start', 'a:x:end', 'b:x:start', 'b:x:end', 'a:y:start', 'a:y:end'])
    // the time a tier waited for the others is not its own
    expect(busy).toEqual({ a: 60, b: 70 })
  })

  it('a request that fails ends its turn; the next one still runs and the failure reaches its sender', async () => {
    const turns = takeTurns(() => 0)
    const failing = turns({ run: async () => Promise.reject(new Error('gone')) }, () => undefined)
    const fine = turns({ run: async (): Promise<JobOutcome> => ({ kind: 'ok', samples: [] }) }, () => undefined)
    const [f, ok] = await Promise.allSettled([failing.run(req('x')), fine.run(req('x'))])
    expect(f).toMatchObject({ status: 'rejected', reason: new Error('gone') })
    expect(ok).toMatchObject({ status: 'fulfilled', value: { kind: 'ok' } })
  })
})

describe('pinnedRunner', () => {
  it('sends repetition k to CPU k of the walk, keeping the other parameters', async () => {
    const seen: JobRequest[] = []
    const r = pinnedRunner({ run: async (q): Promise<JobOutcome> => (seen.push(q), { kind: 'ok', samples: [] }) }, [2, 5])
    for (let k = 0; k < 3; k++) await r.run({ job: 'cpu.int', params: { size: 4 }, reps: 1 })
    expect(seen.map((q) => q.params)).toEqual([
      { size: 4, pinCpu: 2 },
      { size: 4, pinCpu: 5 },
      { size: 4, pinCpu: 2 },
    ])
  })
})
