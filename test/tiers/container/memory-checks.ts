/**
 * What every container tier's memory-limit test checks the same way: the 32 MiB limit as the kernel
 * holds it, a CPU job that fits, and STREAM (three 32 MiB arrays) that does not and fails fast as out
 * of memory. Shared by memory-limit.test.ts (built-in) and oom-runtime-scenario.ts (podman, lxc).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { JobOutcome, TierSession } from '../../../src/core/tier.js'

export const LIMIT_BYTES = String(32 * 1024 * 1024)

export const reasonOf = (o: JobOutcome): string => {
  if (o.kind !== 'failed') throw new Error(`expected a failed job, got ${JSON.stringify(o).slice(0, 500)}`)
  return o.reason
}
export const expectOk = (o: JobOutcome): void => {
  if (o.kind !== 'ok') throw new Error(`expected an ok job: ${o.reason}\n${o.logTail ?? ''}`)
  expect(o.samples.length).toBeGreaterThan(0)
}

/** The memory cgroup `dir` holds the 32 MiB limit, and no swap beyond it where the kernel accounts swap. */
export const expect32MiBLimit = async (dir: string, version: 'v1' | 'v2'): Promise<void> => {
  expect((await readFile(join(dir, version === 'v1' ? 'memory.limit_in_bytes' : 'memory.max'), 'utf8')).trim()).toBe(LIMIT_BYTES)
  const swap = await readFile(join(dir, version === 'v1' ? 'memory.memsw.limit_in_bytes' : 'memory.swap.max'), 'utf8').catch(
    () => undefined,
  )
  if (swap !== undefined) expect(swap.trim()).toBe(version === 'v1' ? LIMIT_BYTES : '0')
}

/** A CPU job fits under the limit; STREAM does not: it fails within 5 s as out of memory under the limit. Its reason. */
export const streamOutOfMemory = async (s: TierSession): Promise<string> => {
  expectOk(await s.run({ job: 'cpu.int', reps: 1, params: { targetMs: 50 } }))
  const t0 = performance.now()
  const reason = reasonOf(await s.run({ job: 'mem.stream', reps: 1, params: { targetMs: 50, sizeMb: 32 } }))
  expect(performance.now() - t0).toBeLessThan(5_000) // no hang, no request timeout
  expect(reason).toMatch(/^mem\.stream: out of memory: /)
  expect(reason).toContain('memory limit of 32 MiB')
  expect(reason).toContain('A fresh container with the same limits runs the remaining jobs')
  return reason
}
