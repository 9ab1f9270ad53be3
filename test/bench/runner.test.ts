import { describe, expect, it } from 'vitest'
import { planBench, type CatalogJob } from '../../src/bench/plan.js'
import { groupTargetFrom, runBench, type ReportBase } from '../../src/bench/runner.js'
import type { RunReport } from '../../src/core/report.js'
import type { JobRequest, TierDriver, TierId, TierReadiness } from '../../src/core/tier.js'
import { CleanupRegistry } from '../../src/host/cleanup.js'
import { fakeSession } from './fake-session.js'

const catalog: CatalogJob[] = [
  {
    id: 'cpu.int',
    metrics: [{ metric: 'ops', unit: 'op/s', better: 'higher' }],
    quickParams: { targetMs: 100 },
    fullParams: { targetMs: 500 },
    needs: [],
  },
  { id: 'net.rr', metrics: [{ metric: 'ops', unit: 'op/s', better: 'higher' }], quickParams: {}, fullParams: {}, needs: ['peer'] },
]
const ready = (tier: TierId): TierReadiness => ({ tier, ready: true, summary: 'ok' })
const readiness: TierReadiness[] = [
  ready('native'),
  ready('container'),
  ready('lxc'),
  {
    tier: 'kvm-virtio',
    ready: false,
    summary: '/dev/kvm is served by kvm_pvm',
    blockedBy: ['kvm.module'],
    remediation: { summary: 'use a host with VT-x' },
  },
]
const base: ReportBase = {
  schema: 'virtcheck-run',
  schemaVersion: '1.0',
  tool: { name: 'virtcheck', version: '0' },
  startedAt: new Date(0).toISOString(),
  host: {
    hostname: 'h',
    cpuModel: 'c',
    cpuCores: 2,
    memoryBytes: 1,
    kernel: 'k',
    distro: 'd',
    arch: 'x86_64',
    virtRole: 'vm',
    nodeVersion: 'v20',
  },
  findings: [],
  readiness,
  reproduce: { argv: [], mode: 'quick', settings: {}, versions: {} },
}
const context = (signal: AbortSignal) => ({
  findings: [],
  workDir: '/tmp',
  scratchDir: '/tmp',
  cleanup: new CleanupRegistry(),
  signal,
  startTimeoutMs: 200,
  log: () => undefined,
})

describe('runBench with fake drivers', () => {
  it('runs ready tiers, records failing and not-ready ones, computes ratios and saves partials', async () => {
    const sessions = { native: fakeSession('native', () => 100), container: fakeSession('container', () => 50) }
    const drivers: Record<string, TierDriver> = {
      native: { id: 'native', open: async () => sessions.native },
      container: { id: 'container', open: async () => sessions.container },
      lxc: { id: 'lxc', open: async () => Promise.reject(Object.assign(new Error('lxc-execute: exit 1'), { logTail: 'lxc said no' })) },
    }
    const plan = planBench({
      readiness,
      catalog,
      mode: 'quick',
      tiers: ['native', 'container', 'lxc', 'kvm-virtio'],
      hasDriver: (id) => id in drivers,
    })
    const partials: RunReport[] = []
    const out = await runBench({
      plan,
      drivers: (id) => drivers[id],
      base,
      context: context(new AbortController().signal),
      networkUnavailable: 'needs root to create a network namespace',
      onPartial: (r) => void partials.push(r),
    })
    const byTier = Object.fromEntries(out.report.tiers.map((t) => [t.tier, t]))
    expect(byTier['native']).toMatchObject({ state: 'completed', bootMs: 5, overheadRssBytes: 1234 })
    expect(byTier['lxc']).toMatchObject({ state: 'failed', reason: 'lxc-execute: exit 1', logTail: 'lxc said no' })
    expect(byTier['kvm-virtio']).toMatchObject({ state: 'not-ready', reason: '/dev/kvm is served by kvm_pvm' })
    const cpuCtr = out.report.results.find((r) => r.tier === 'container' && r.job === 'cpu.int')!
    expect(cpuCtr.state).toBe('ok')
    if (cpuCtr.state === 'ok') expect(cpuCtr.ratioToNative?.value).toBeCloseTo(0.5, 12)
    const netCtr = out.report.results.find((r) => r.tier === 'container' && r.job === 'net.rr')!
    expect(netCtr).toMatchObject({ state: 'failed', error: expect.stringContaining('needs root') })
    expect(out.report.results.filter((r) => r.tier === 'lxc').every((r) => r.state === 'failed')).toBe(true)
    expect(out.anyFailed).toBe(true)
    expect(out.report.partial).toBe(false)
    expect(partials).toHaveLength(3) // after each tier that was opened
    expect(partials.every((p) => p.partial)).toBe(true)
    expect(sessions.native.closed && sessions.container.closed).toBe(true)
  })

  it('a tier that never opens is failed after the start timeout and the run goes on', async () => {
    const late = fakeSession('container', () => 1)
    const drivers: Record<string, TierDriver> = {
      native: { id: 'native', open: async () => fakeSession('native', () => 1) },
      container: { id: 'container', open: () => new Promise((r) => setTimeout(() => r(late), 400)) },
    }
    const plan = planBench({
      readiness,
      catalog: catalog.slice(0, 1),
      mode: 'quick',
      tiers: ['container', 'native'],
      hasDriver: () => true,
    })
    const out = await runBench({ plan, drivers: (id) => drivers[id], base, context: context(new AbortController().signal), openGraceMs: 0 })
    expect(out.report.tiers.map((t) => [t.tier, t.state])).toEqual([
      ['native', 'completed'],
      ['container', 'failed'],
    ])
    await new Promise((r) => setTimeout(r, 450))
    expect(late.closed).toBe(true) // the late session was closed, nothing left running
  })

  it('Ctrl-C: stops, closes the session, marks the rest interrupted', async () => {
    const ac = new AbortController()
    const native = fakeSession('native', () => 1)
    const origRun = native.run.bind(native)
    native.run = async (req, signal) => {
      ac.abort()
      return origRun(req, signal)
    }
    const drivers: Record<string, TierDriver> = {
      native: { id: 'native', open: async () => native },
      container: { id: 'container', open: async () => fakeSession('container', () => 1) },
    }
    const plan = planBench({ readiness, catalog, mode: 'quick', tiers: ['native', 'container'], hasDriver: () => true })
    const out = await runBench({ plan, drivers: (id) => drivers[id], base, context: context(ac.signal) })
    expect(out.interrupted).toBe(true)
    expect(out.report.partial).toBe(true)
    expect(out.report.tiers.map((t) => t.state)).toEqual(['interrupted', 'interrupted'])
    expect(native.closed).toBe(true)
  })
})

/** Fake sessions with a constant value per tier that report every request to `log`. */
const recording = (values: Partial<Record<TierId, number>>, log: (tier: TierId, req: JobRequest) => void) =>
  Object.fromEntries(
    Object.entries(values).map(([id, v]) => {
      const s = fakeSession(id as TierId, () => v)
      const run = s.run.bind(s)
      s.run = async (req, sig) => {
        log(id as TierId, req)
        return run(req, sig)
      }
      return [id, s]
    }),
  )
const driversOf = (sessions: Record<string, ReturnType<typeof fakeSession>>): Record<string, TierDriver> =>
  Object.fromEntries(Object.entries(sessions).map(([id, s]) => [id, { id: id as TierId, open: async () => s }]))

/**
 * One cheap job (cpu.int, quick) over `tiers`, interleaved: the setup the interleaving and CPU-walk tests
 * share. Without `reps` the quick mode's adaptive repetition decides when to stop.
 */
const runInterleaved = (
  drivers: Record<string, TierDriver>,
  o: { tiers: TierId[]; reps?: number; readiness?: TierReadiness[]; pinCpus?: number[] },
) =>
  runBench({
    plan: planBench({
      readiness: o.readiness ?? readiness,
      catalog: catalog.slice(0, 1),
      mode: 'quick',
      tiers: o.tiers,
      ...(o.reps !== undefined ? { reps: o.reps } : {}),
      hasDriver: () => true,
    }),
    drivers: (id) => drivers[id],
    base,
    context: context(new AbortController().signal),
    interleave: () => 'host',
    onHostCpus: () => true,
    ...(o.pinCpus ? { pinCpus: o.pinCpus } : {}),
  })

describe('interleaving', () => {
  it('native and containers take turns repetition by repetition, the first of a round rotating; each tier keeps its own samples', async () => {
    const order: string[] = []
    const sessions = recording({ native: 100, container: 90, lxc: 80 }, (tier, req) => order.push(`${tier}:${req.reps}`))
    const drivers = driversOf(sessions)
    const out = await runInterleaved(drivers, { tiers: ['native', 'container', 'lxc'], reps: 3 })
    // unpinned, the walk is one round long: each round starts with the next tier
    expect(order).toEqual(['native:1', 'container:1', 'lxc:1', 'container:1', 'lxc:1', 'native:1', 'lxc:1', 'native:1', 'container:1'])
    expect(out.report.tiers.map((t) => t.state)).toEqual(['completed', 'completed', 'completed'])
    const lxc = out.report.results.find((r) => r.tier === 'lxc')!
    expect(lxc.samples).toEqual([80, 80, 80])
    if (lxc.state === 'ok') expect(lxc.ratioToNative?.value).toBeCloseTo(0.8, 12)
    expect(Object.values(sessions).every((s) => s.closed)).toBe(true)
  })
})

describe('interleaved tiers stop together', () => {
  it('a tier that reached its target keeps repeating while another still needs more, so every repetition has its partner', async () => {
    // container is steady (its CI is reached at the minimum); native swings, so it needs more repetitions
    const swing = [100, 60, 140, 80, 120, 100, 90, 110, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100]
    const drivers = driversOf({
      native: fakeSession('native', (_job, rep) => swing[(rep - 1) % swing.length]!),
      container: fakeSession('container', () => 90),
    })
    const out = await runInterleaved(drivers, { tiers: ['native', 'container'] })
    const n = out.report.results.map((r) => `${r.tier}:${r.samples.length}`)
    const native = out.report.results.find((r) => r.tier === 'native')!
    expect(native.samples.length).toBeGreaterThan(3)
    expect(n).toEqual([`native:${native.samples.length}`, `container:${native.samples.length}`])
  })
})

describe('interleaved minimum', () => {
  it('two steady tiers run two whole rotations (2 CPUs x 2 tiers x 2) before their CI target counts, since the paired ratio is what they report', async () => {
    const drivers = driversOf({ native: fakeSession('native', () => 100), container: fakeSession('container', () => 90) })
    const out = await runInterleaved(drivers, { tiers: ['native', 'container'], pinCpus: [0, 1] })
    expect(out.report.results.map((r) => r.samples.length)).toEqual([8, 8])
    expect(groupTargetFrom(4)).toBe(8)
  })

  it('the job budget still stops a group before two rotations, so the jobs after it run', async () => {
    // 3 s a repetition against the quick job budget of 15 s: the group stops after 5, not 8
    const clock = { t: 0 }
    const native = fakeSession('native', () => 100, { clock, msPerRep: 3000 })
    const container = fakeSession('container', () => 90, { clock, msPerRep: 3000 })
    const drivers = driversOf({ native, container })
    const out = await runBench({
      plan: planBench({
        readiness,
        catalog: [catalog[0]!, { ...catalog[0]!, id: 'cpu.fp' }],
        mode: 'quick',
        tiers: ['native', 'container'],
        hasDriver: () => true,
      }),
      drivers: (id) => drivers[id],
      base,
      context: context(new AbortController().signal),
      interleave: () => 'host',
      onHostCpus: () => true,
      pinCpus: [0, 1],
      now: () => clock.t,
    })
    expect(out.report.results.map((r) => `${r.tier} ${r.job} ${r.samples.length}`)).toEqual([
      'native cpu.int 5',
      'container cpu.int 5',
      'native cpu.fp 5',
      'container cpu.fp 5',
    ])
  })
})

describe('interleaving groups', () => {
  it('a tier that is not ready between two cheap ones does not split their group', async () => {
    const order: string[] = []
    const drivers = driversOf(recording({ native: 100, lxc: 80 }, (tier, req) => order.push(`${tier}:${req.reps}`)))
    const withoutContainer = readiness.map((r): TierReadiness =>
      r.tier === 'container'
        ? { tier: r.tier, ready: false, summary: 'no runtime', blockedBy: [], remediation: { summary: 'install one' } }
        : r,
    )
    const out = await runInterleaved(drivers, { tiers: ['native', 'container', 'lxc'], reps: 2, readiness: withoutContainer })
    expect(order).toEqual(['native:1', 'lxc:1', 'lxc:1', 'native:1'])
    expect(out.report.tiers.map((t) => `${t.tier}:${t.state}`)).toEqual(['native:completed', 'lxc:completed', 'container:not-ready'])
    expect(out.report.tiers[1]!.interleavedWith).toEqual(['native', 'lxc'])
  })
})

const groupOf = (t: TierId) => (t.startsWith('tcg-') ? 'tcg-guests' : 'host')
/**
 * native, container, tcg-virtio and tcg-emulated, cpu.int: a host group (pinned) and a guest group.
 * Twice each, unless `adaptive` (quick mode decides); host CPUs 0 and 1 unless `pinCpus`.
 */
const runWithGuests = (
  drivers: Record<string, TierDriver>,
  o: { nativeAlongside?: boolean; adaptive?: boolean; pinCpus?: number[] } = {},
) =>
  runBench({
    plan: planBench({
      readiness: [...readiness, ready('tcg-virtio'), ready('tcg-emulated')],
      catalog: catalog.slice(0, 1),
      mode: 'quick',
      tiers: ['native', 'container', 'tcg-virtio', 'tcg-emulated'],
      ...(o.adaptive ? {} : { reps: 2 }),
      hasDriver: () => true,
    }),
    drivers: (id) => drivers[id],
    base,
    context: context(new AbortController().signal),
    interleave: groupOf,
    onHostCpus: (t) => groupOf(t) === 'host',
    nativeAlongside: o.nativeAlongside === true,
    pinCpus: o.pinCpus ?? [0, 1],
  })

describe('guest groups', () => {
  it('the two guests of an accelerator take turns like native and the containers, unpinned, as their own group', async () => {
    const order: string[] = []
    const drivers = driversOf(
      recording({ native: 100, container: 90, 'tcg-virtio': 30, 'tcg-emulated': 20 }, (tier, req) =>
        order.push(`${tier}@${req.params['pinCpu']}`),
      ),
    )
    const out = await runWithGuests(drivers)
    expect(order).toEqual([
      'native@0',
      'container@0',
      'native@1',
      'container@1',
      // the guests' group starts after the host group ends; a guest's vCPU is not a host CPU
      'tcg-virtio@undefined',
      'tcg-emulated@undefined',
      'tcg-emulated@undefined',
      'tcg-virtio@undefined',
    ])
    const tier = (id: string) => out.report.tiers.find((t) => t.tier === id)!
    expect(tier('tcg-virtio').interleavedWith).toEqual(['tcg-virtio', 'tcg-emulated'])
    expect(tier('tcg-emulated').config['cpuPinning']).toBeUndefined()
    expect(tier('container').interleavedWith).toEqual(['native', 'container'])
  })
})

describe('native alongside', () => {
  const run = (
    nativeOpens: (() => Promise<ReturnType<typeof fakeSession>>)[],
    order: string[],
    more: { adaptive?: boolean; pinCpus?: number[] } = {},
  ) => {
    const guests = recording({ 'tcg-virtio': 30, 'tcg-emulated': 20, container: 90 }, (tier, req) =>
      order.push(`${tier}@${req.params['pinCpu']}`),
    )
    let opens = 0
    const drivers: Record<string, TierDriver> = {
      ...driversOf(guests),
      native: { id: 'native', open: () => nativeOpens[opens++]!() },
    }
    return runWithGuests(drivers, { nativeAlongside: true, ...more })
  }

  it("a group without native gets a native session of its own, walking the CPUs alone; the guests' ratios pair with its samples", async () => {
    const order: string[] = []
    // native in its own group reads 100; the host is twice as slow while the guests run (50)
    const alongside = fakeSession('native', () => 50)
    const ran = alongside.run.bind(alongside)
    alongside.run = async (req, sig) => {
      order.push(`native-alongside@${req.params['pinCpu']}`)
      return ran(req, sig)
    }
    const out = await run([async () => fakeSession('native', () => 100), async () => alongside], order)
    expect(order.slice(-6)).toEqual([
      'tcg-virtio@undefined',
      'tcg-emulated@undefined',
      'native-alongside@0',
      // unpinned guests: the order rotates every round, and native walks the CPUs on its own
      'tcg-emulated@undefined',
      'native-alongside@1',
      'tcg-virtio@undefined',
    ])
    const cell = (tier: string) => out.report.results.find((r) => r.tier === tier)!
    const virtio = cell('tcg-virtio')
    expect(virtio.state === 'ok' && virtio.nativeAlongside).toEqual([50, 50])
    expect(virtio.state === 'ok' && virtio.ratioToNative?.value).toBeCloseTo(0.6, 12)
    // the host group's tiers keep their own pairs; native alongside is no tier of the report
    const container = cell('container')
    expect(container.state === 'ok' && container.nativeAlongside).toBeUndefined()
    expect(container.state === 'ok' && container.ratioToNative?.value).toBeCloseTo(0.9, 12)
    expect(out.report.tiers.map((t) => t.tier)).toEqual(['native', 'container', 'tcg-virtio', 'tcg-emulated'])
    expect(out.report.results.filter((r) => r.tier === 'native').map((r) => r.samples)).toEqual([[100, 100]])
    expect(out.report.tiers.find((t) => t.tier === 'tcg-virtio')!.interleavedWith).toEqual(['tcg-virtio', 'tcg-emulated'])
    expect(alongside.closed).toBe(true)
  })

  it("adaptive, the group stops only where every seat led equally often and native's walk of the CPUs is whole", async () => {
    const out = await run([async () => fakeSession('native', () => 100), async () => fakeSession('native', () => 50)], [], {
      adaptive: true,
      pinCpus: [0, 1, 2, 3],
    })
    // three seats, a walk of four CPUs: stops at multiples of 12 (the CI target counts from 2 x 3 = 6)
    const n = (tier: string) => out.report.results.find((r) => r.tier === tier)!.samples.length
    expect(n('tcg-virtio')).toBe(12)
    expect(n('tcg-emulated')).toBe(12)
    const virtio = out.report.results.find((r) => r.tier === 'tcg-virtio')!
    expect(virtio.state === 'ok' && virtio.nativeAlongside?.length).toBe(12)
  })

  it('when native does not start alongside, the run says so and the ratios are ratios of medians again', async () => {
    const out = await run([async () => fakeSession('native', () => 100), async () => Promise.reject(new Error('agent exited'))], [])
    expect(out.report.warnings.map((w) => w.code)).toContain('native-alongside-failed')
    const virtio = out.report.results.find((r) => r.tier === 'tcg-virtio')!
    expect(virtio.state === 'ok' && virtio.nativeAlongside).toBeUndefined()
    expect(virtio.state === 'ok' && virtio.ratioToNative?.value).toBeCloseTo(0.3, 12)
    expect(out.report.tiers.map((t) => t.state)).toEqual(['completed', 'completed', 'completed', 'completed'])
  })
})

describe('planBench', () => {
  it('defaults to ready tiers, lists the others, and sizes the policy', () => {
    const p = planBench({ readiness, catalog, mode: 'quick', hasDriver: (id) => id !== 'lxc' })
    expect(p.tiers.filter((t) => t.action === 'run').map((t) => t.tier)).toEqual(['native', 'container'])
    expect(p.tiers.find((t) => t.tier === 'lxc')).toMatchObject({ action: 'skipped' })
    expect(p.tiers.find((t) => t.tier === 'kvm-virtio')).toMatchObject({ action: 'not-ready' })
    expect(p.jobs.map((j) => [j.job, j.needsPeer])).toEqual([
      ['cpu.int', false],
      ['net.rr', true],
    ])
    expect(p.policy).toMatchObject({ minReps: 3, ciTarget: 0.05, fixedReps: false })
    const f = planBench({ readiness, catalog, mode: 'full', reps: 4, jobs: ['cpu.int'], hasDriver: () => true })
    expect(f.policy).toMatchObject({ minReps: 4, maxReps: 4, fixedReps: true })
    expect(f.jobs[0]!.params).toEqual({ targetMs: 500 })
  })
})

describe('CPU walk', () => {
  it('an interleaved group runs repetition k of every tier on the same CPU, one repetition per request, and records it', async () => {
    const seen: string[] = []
    const drivers = driversOf(
      recording({ native: 100, container: 90 }, (tier, req) => seen.push(`${tier}@${req.params['pinCpu']}x${req.reps}`)),
    )
    const out = await runInterleaved(drivers, { tiers: ['native', 'container'], reps: 4, pinCpus: [2, 5, 7] })
    expect(seen).toEqual([
      'native@2x1',
      'container@2x1',
      'native@5x1',
      'container@5x1',
      'native@7x1',
      'container@7x1',
      // the second walk starts with the other tier (round-gate.ts)
      'container@2x1',
      'native@2x1',
    ])
    for (const t of out.report.tiers) {
      expect(t.config['cpuPinning']).toBe('per repetition, CPUs 2,5,7')
      expect(t.interleavedWith).toEqual(['native', 'container'])
    }
    // the pin is a request detail, not a job parameter: results keep the plan's params
    expect(out.report.results.every((r) => !('pinCpu' in r.params))).toBe(true)
  })

  it('a tier on its own walks too, one repetition per request; tiers that are not host processes are not pinned', async () => {
    const seen: string[] = []
    const s = fakeSession('native', () => 100)
    const run = s.run.bind(s)
    s.run = async (req, sig) => {
      seen.push(`${req.params['pinCpu']}x${req.reps}`)
      return run(req, sig)
    }
    const plan = planBench({ readiness, catalog: catalog.slice(0, 1), mode: 'quick', tiers: ['native'], reps: 3, hasDriver: () => true })
    const out = await runBench({
      plan,
      drivers: () => ({ id: 'native', open: async () => s }),
      base,
      context: context(new AbortController().signal),
      interleave: () => 'host',
      onHostCpus: () => true,
      pinCpus: [0, 1],
    })
    expect(seen).toEqual(['0x1', '1x1', '0x1'])
    expect(out.report.tiers[0]!.interleavedWith).toBeUndefined()

    seen.length = 0
    await runBench({
      plan,
      drivers: () => ({ id: 'native', open: async () => s }),
      base,
      context: context(new AbortController().signal),
      interleave: () => undefined,
      onHostCpus: () => false,
      pinCpus: [0, 1],
    })
    expect(seen).toEqual(['undefinedx3'])
  })

  it('a session whose vcwork runs on host CPUs (qemu-user) walks them though its tier is not a host-process tier', async () => {
    const seen: string[] = []
    const s = Object.assign(
      fakeSession('emu-aarch64', () => 30),
      { pinsHostCpus: true },
    )
    const run = s.run.bind(s)
    s.run = async (req, sig) => {
      seen.push(`${req.params['pinCpu']}x${req.reps}`)
      return run(req, sig)
    }
    const emuReady: TierReadiness[] = [...readiness, ready('emu-aarch64')]
    const out = await runBench({
      plan: planBench({
        readiness: emuReady,
        catalog: catalog.slice(0, 1),
        mode: 'quick',
        tiers: ['emu-aarch64'],
        reps: 2,
        hasDriver: () => true,
      }),
      drivers: () => ({ id: 'emu-aarch64', open: async () => s }),
      base,
      context: context(new AbortController().signal),
      interleave: () => undefined,
      pinCpus: [0, 1],
    })
    expect(seen).toEqual(['0x1', '1x1'])
    expect(out.report.tiers[0]!.config['cpuPinning']).toBe('per repetition, CPUs 0,1')
  })
})

describe('run budget shared out between tiers', () => {
  it('a slow first tier cannot starve the ones after it: each gets its share of what is left', async () => {
    const clock = { t: 0 }
    // native costs 10 s a repetition; container and lxc 0.1 s; the run budget is 60 s for 3 tiers x 2 jobs
    const slow = fakeSession('native', () => 100, { clock, msPerRep: 10_000 })
    const ctr = fakeSession('container', () => 50, { clock, msPerRep: 100 })
    const lxc = fakeSession('lxc', () => 40, { clock, msPerRep: 100 })
    const sessions: Record<string, ReturnType<typeof fakeSession>> = { native: slow, container: ctr, lxc }
    const drivers = (id: TierId): TierDriver | undefined => (sessions[id] ? { id, open: async () => sessions[id]! } : undefined)
    const plan = planBench({
      readiness,
      catalog: [catalog[0]!, { ...catalog[0]!, id: 'cpu.fp' }],
      mode: 'quick',
      tiers: ['native', 'container', 'lxc'],
      timeBudgetS: 60,
      hasDriver: () => true,
    })
    const out = await runBench({
      plan,
      drivers,
      base,
      context: context(new AbortController().signal),
      interleave: () => undefined,
      now: () => clock.t,
    })
    const state = (tier: string) => out.report.results.filter((r) => r.tier === tier).map((r) => r.state)
    // native overshoots its 20 s share (3 reps of 10 s at minimum for the first job), its second job is not run…
    expect(out.report.results.find((r) => r.tier === 'native' && r.job === 'cpu.fp')).toMatchObject({
      state: 'failed',
      error: "not run: this tier's share of the run time budget (--time-budget) was used up",
    })
    // …and the tiers after it still measure every job within the run budget
    expect(state('container')).toEqual(['ok', 'ok'])
    expect(state('lxc')).toEqual(['ok', 'ok'])
    expect(clock.t).toBeLessThanOrEqual(60_000)
  })
})
