import { describe, expect, it } from 'vitest'
import { JOB_IDS, type SampleLine } from '../../src/core/workload.js'
import { JOBS, jobById, requestParams, sampleMismatch } from '../../workloads/index.js'

describe('workload catalog', () => {
  it('has one entry per job id, in JOB_IDS order', () => {
    expect(JOBS.map((j) => j.id)).toEqual([...JOB_IDS])
  })

  it('gives every job metrics with unique ids, a unit and a direction', () => {
    for (const j of JOBS) {
      expect(j.metrics.length, j.id).toBeGreaterThan(0)
      expect(new Set(j.metrics.map((m) => m.id)).size, j.id).toBe(j.metrics.length)
      for (const m of j.metrics) {
        expect(m.unit, `${j.id}.${m.id}`).not.toBe('')
        expect(['higher', 'lower']).toContain(m.better)
      }
    }
  })

  it('matches the metric table of the design (ids, units, directions)', () => {
    const table = Object.fromEntries(JOBS.map((j) => [j.id, j.metrics.map((m) => `${m.id}:${m.unit}:${m.better}`)]))
    expect(table).toEqual({
      'cpu.int': ['ops:ops/s:higher'],
      'cpu.fp': ['gflops:GFLOP/s:higher'],
      'mem.stream': ['copy:GB/s:higher', 'scale:GB/s:higher', 'add:GB/s:higher', 'triad:GB/s:higher'],
      'mmu.gups': ['gups:GUP/s:higher'],
      'mmu.pagefault': ['faults:faults/s:higher'],
      'proc.fork': ['fork:µs:lower'],
      'sys.syscall': ['syscall:ns:lower'],
      'sys.ctxsw': ['switch:µs:lower'],
      'io.seq': ['write:MB/s:higher', 'read:MB/s:higher'],
      'io.rand': [
        'readIops:IOPS:higher',
        'readP50:µs:lower',
        'readP99:µs:lower',
        'writeIops:IOPS:higher',
        'writeP50:µs:lower',
        'writeP99:µs:lower',
      ],
      'io.fsync': ['fsync:µs:lower'],
      'net.stream': ['throughput:Gbit/s:higher'],
      'net.rr': ['tps:trans/s:higher', 'p50:µs:lower', 'p99:µs:lower'],
    })
  })

  it('makes quick mode no longer than full mode and never zero', () => {
    for (const j of JOBS) {
      const { quick, full } = j.params
      expect(quick.targetMs, j.id).toBeGreaterThan(0)
      expect(quick.targetMs, j.id).toBeLessThanOrEqual(full.targetMs)
      expect(quick.reps, j.id).toBeGreaterThanOrEqual(1)
      expect(quick.reps, j.id).toBeLessThanOrEqual(full.reps)
      if (quick.sizeMb !== undefined && full.sizeMb !== undefined) expect(quick.sizeMb).toBeLessThanOrEqual(full.sizeMb)
    }
  })

  it('marks exactly the IO jobs as needing a disk and the net jobs as needing a peer', () => {
    expect(JOBS.filter((j) => j.needs.includes('disk')).map((j) => j.id)).toEqual(['io.seq', 'io.rand', 'io.fsync'])
    expect(JOBS.filter((j) => j.needs.includes('peer')).map((j) => j.id)).toEqual(['net.stream', 'net.rr'])
  })

  it('lets full-mode STREAM size its arrays from the LLC (no sizeMb) while quick mode fixes a small size', () => {
    const s = jobById('mem.stream')
    expect(s?.params.full.sizeMb).toBeUndefined()
    expect(s?.params.quick.sizeMb).toBe(32)
  })

  it('builds request params with the mode and only the plumbing a job needs', () => {
    const rand = jobById('io.rand')
    const rr = jobById('net.rr')
    if (!rand || !rr) throw new Error('catalog lost a job')
    expect(requestParams(rand, 'quick', { target: '/s/x', peer: '1.2.3.4:5' })).toEqual({
      reps: 3,
      params: { mode: 'quick', targetMs: 200, sizeMb: 32, target: '/s/x' },
    })
    expect(requestParams(rr, 'full', { target: '/s/x', peer: '10.0.2.2:5555' })).toEqual({
      reps: 5,
      params: { mode: 'full', targetMs: 1000, peer: '10.0.2.2:5555' },
    })
    expect(jobById('nope')).toBeUndefined()
  })

  it('explains a sample that does not match the catalog', () => {
    const s: SampleLine = {
      type: 'sample',
      job: 'sys.syscall',
      metric: 'syscall',
      unit: 'ns',
      better: 'lower',
      value: 80,
      rep: 1,
      durationMs: 20,
      targetMs: 20,
      iterations: 1,
      short: false,
      params: {},
    }
    expect(sampleMismatch(s)).toBeNull()
    expect(sampleMismatch({ ...s, unit: 'µs' })).toMatch(/unit µs, catalog says ns/)
    expect(sampleMismatch({ ...s, better: 'higher' })).toMatch(/better=higher/)
    expect(sampleMismatch({ ...s, metric: 'getppid' })).toMatch(/unknown metric getppid/)
  })
})
