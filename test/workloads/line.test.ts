import { describe, expect, it } from 'vitest'
import { JOB_IDS, parseVcworkLine } from '../../src/core/workload.js'

const sample = {
  type: 'sample',
  job: 'mem.stream',
  metric: 'triad',
  unit: 'GB/s',
  better: 'higher',
  value: 12.3,
  rep: 1,
  durationMs: 210.5,
  targetMs: 200,
  iterations: 7,
  short: false,
  stealTicksDelta: 0,
  params: { mode: 'quick', arrayMb: 32, belowLlcRule: true },
}
const env = { stealTicks: 10, clocksource: 'tsc', arch: 'x86_64', cpus: 2, kernel: '6.1.0', version: '0.1.0' }
const line = (o: unknown): string => JSON.stringify(o)

describe('parseVcworkLine', () => {
  it('accepts every line type vcwork prints', () => {
    const good: unknown[] = [
      sample,
      { ...sample, id: 7 },
      { type: 'summary', job: 'mem.stream', reps: 3, env },
      { type: 'summary', id: 7, job: 'mem.stream', reps: 3, env: { arch: 'aarch64', cpus: 1, kernel: '', version: '0.1.0' } },
      { type: 'error', message: 'malformed request: expected object at column 1' },
      { type: 'error', id: 3, job: 'io.seq', message: 'O_DIRECT refused' },
      { type: 'env', ...env },
      { type: 'env', id: 8, arch: 'x86_64', cpus: 4, kernel: '6.1', version: '0.1.0' },
      { type: 'ready', version: '0.1.0', arch: 'x86_64' },
      { type: 'version', id: 2, version: '0.1.0', arch: 'aarch64' },
      { type: 'done', id: 7 },
      { type: 'listening', addr: '127.0.0.1', port: 40000 },
    ]
    for (const o of good) expect(parseVcworkLine(line(o)), line(o)).toEqual(o)
  })

  it('accepts one trailing line ending, including a serial console CR', () => {
    for (const end of ['\n', '\r\n', '\r']) expect(parseVcworkLine(line(sample) + end)).toEqual(sample)
    expect(parseVcworkLine(line(sample) + '\n\n')).toBeNull()
  })

  it('rejects stray text around or instead of the object', () => {
    for (const bad of [
      '',
      'hello',
      '[1]',
      'null',
      '"sample"',
      `[  12.3] random: crng init done${line(sample)}`,
      `${line(sample)} trailing`,
      ` ${line(sample)}`,
      `${line(sample)}${line(sample)}`,
      `${line({ type: 'done', id: 1 })}\n${line({ type: 'done', id: 2 })}`,
      '{"type":"done","id":1',
    ])
      expect(parseVcworkLine(bad), bad).toBeNull()
  })

  it('rejects unknown types, unknown keys, missing keys and wrong types', () => {
    const { params: _p, ...noParams } = sample
    for (const bad of [
      { ...sample, type: 'samples' },
      { ...sample, type: 'progress' },
      { ...sample, extra: 1 },
      noParams,
      { ...sample, job: 'cpu.nope' },
      { ...sample, better: 'more' },
      { ...sample, value: '12.3' },
      { ...sample, value: -1 },
      { ...sample, rep: 0 },
      { ...sample, rep: 1.5 },
      { ...sample, short: 'no' },
      { ...sample, id: -1 },
      { ...sample, stealTicksDelta: 0.5 },
      { ...sample, params: { nested: { a: 1 } } },
      { ...sample, params: [1, 2] },
      { ...sample, params: { n: null } },
      { type: 'summary', job: 'mem.stream', reps: 3, env: { ...env, cpus: 0 } },
      { type: 'summary', job: 'mem.stream', reps: 3, env: { ...env, extra: true } },
      { type: 'summary', job: 'mem.stream', reps: 3 },
      { type: 'error' },
      { type: 'error', message: '' },
      { type: 'error', message: 'x', job: 'not.a.job' },
      { type: 'done' },
      { type: 'done', id: 1, job: 'cpu.int' },
      { type: 'ready', version: '0.1.0' },
      { type: 'listening', addr: '127.0.0.1', port: 0 },
      { type: 'env', arch: 'x86_64', cpus: 2, kernel: '6.1' },
    ])
      expect(parseVcworkLine(line(bad)), line(bad)).toBeNull()
  })

  it('rejects non-finite numbers, which JSON cannot carry but a sloppy writer might print', () => {
    expect(parseVcworkLine(line(sample).replace('12.3', 'NaN'))).toBeNull()
    expect(parseVcworkLine(line(sample).replace('12.3', 'Infinity'))).toBeNull()
    expect(parseVcworkLine(line(sample).replace('12.3', '1e999'))).toBeNull()
  })
})

describe('the job catalog ids', () => {
  it('name exactly the 13 jobs', () => {
    expect(JOB_IDS).toHaveLength(13)
    expect(new Set(JOB_IDS).size).toBe(13)
  })
})
