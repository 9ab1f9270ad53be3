// Full mode sizes mem.stream from the HOST's last-level caches and sends the same size to every tier:
// left to vcwork, a guest would size by the caches its emulated CPUID reports, another job.
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { planBench } from '../../src/bench/plan.js'
import { catalogForPlan } from '../../src/bench/catalog-adapter.js'
import { hostLlcKb } from '../../src/bench/host-llc.js'
import type { TierReadiness } from '../../src/core/tier.js'

const readiness: TierReadiness[] = [{ tier: 'native', ready: true, summary: 'ok' }]
const plan = (mode: 'quick' | 'full', llcKb?: number) =>
  planBench({
    readiness,
    catalog: catalogForPlan(),
    mode,
    jobs: ['mem.stream', 'mmu.gups'],
    hasDriver: () => true,
    ...(llcKb !== undefined ? { hostLlcKb: llcKb } : {}),
  })
const sizeOf = (p: ReturnType<typeof plan>, job: string) => p.jobs.find((j) => j.job === job)?.params['sizeMb']

describe('job sizes from the host', () => {
  it('full mode: mem.stream arrays at 4x the host LLC (at least 16 MiB), other jobs as the catalog says', () => {
    expect(sizeOf(plan('full', 32 * 1024), 'mem.stream')).toBe(128)
    expect(sizeOf(plan('full', 384 * 1024), 'mem.stream')).toBe(1536)
    expect(sizeOf(plan('full', 1024), 'mem.stream')).toBe(16)
    expect(sizeOf(plan('full', 32 * 1024), 'mmu.gups')).toBe(256)
  })

  it("without a host figure vcwork's own rule stays; quick mode keeps its fixed size", () => {
    expect(sizeOf(plan('full'), 'mem.stream')).toBeUndefined()
    expect(sizeOf(plan('quick', 384 * 1024), 'mem.stream')).toBe(32)
  })

  it('reads the host LLC from the native vcwork, or says it does not know', async () => {
    const kb = await hostLlcKb()
    if (existsSync('/sys/devices/system/cpu/cpu0/cache/index0/size')) expect(kb).toBeGreaterThan(0)
    else expect(kb).toBeUndefined()
  })
})
