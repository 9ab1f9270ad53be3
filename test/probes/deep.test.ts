import { describe, expect, it } from 'vitest'
import type { Finding } from '../../src/core/finding.js'
import type { TierDriver, TierReadiness } from '../../src/core/tier.js'
import { CleanupRegistry } from '../../src/host/cleanup.js'
import { deepCandidates, deepVerify } from '../../src/probe-run/deep.js'

const kvmApiOk: Finding = { id: 'kvm.api', area: 'kvm', title: 'api', status: 'pass', summary: '', evidence: [], facts: { createVm: 'ok' } }
const readiness: TierReadiness[] = [
  { tier: 'native', ready: true, summary: 'ok' },
  { tier: 'kvm-virtio', ready: false, summary: 'PVM', blockedBy: ['kvm.module'], remediation: { summary: 'PVM kernel' } },
  { tier: 'tcg-virtio', ready: true, summary: 'ok' },
  { tier: 'docker', ready: false, summary: 'no daemon', blockedBy: ['software.docker'], remediation: { summary: 'start it' } },
]
const opts = (drivers: Record<string, TierDriver>, timeoutMs = 300) => ({
  cwd: '/',
  env: {},
  cleanup: new CleanupRegistry(),
  signal: new AbortController().signal,
  log: () => {},
  timeoutMs,
  driverFor: (id: string) => drivers[id],
  job: { job: 'sys.syscall', reps: 1, params: { targetMs: 20 } },
})

describe('probe --deep', () => {
  it('tries ready tiers plus KVM tiers whenever CREATE_VM worked, never docker without a daemon', () => {
    expect(deepCandidates(readiness, [kvmApiOk])).toEqual(['native', 'kvm-virtio', 'tcg-virtio'])
    expect(deepCandidates(readiness, [])).toEqual(['native', 'tcg-virtio'])
  })

  it('proves a working tier, keeps a hanging KVM guest not ready with its console tail, and closes sessions', async () => {
    let closed = 0
    const ok: TierDriver = {
      id: 'native',
      open: async () => ({
        tier: 'native',
        config: {},
        bootMs: 3,
        run: async () => ({
          kind: 'ok',
          samples: [
            { job: 'sys.syscall', metric: 'syscall', unit: 'ns', better: 'lower', value: 189, rep: 0, durationMs: 20, short: false },
          ],
        }),
        close: async () => void closed++,
      }),
    }
    const hang: TierDriver = {
      id: 'kvm-virtio',
      open: (ctx) => {
        ctx.log('SeaBIOS (version 1.16)')
        ctx.log('Probing EDD ... ok')
        return new Promise(() => {})
      },
    }
    const broken: TierDriver = {
      id: 'tcg-virtio',
      open: async () => {
        throw new Error('qemu exited 1: kernel panic')
      },
    }
    const cleanup = new CleanupRegistry()
    const out = await deepVerify(readiness, [kvmApiOk], { ...opts({ native: ok, 'kvm-virtio': hang, 'tcg-virtio': broken }), cleanup })
    const by = (t: string) => out.find((r) => r.tier === t)!
    expect(by('native')).toMatchObject({ ready: true, provedBy: 'started in 3 ms, sys.syscall 189 ns' })
    const kvm = by('kvm-virtio')
    expect(kvm.ready).toBe(false)
    if (!kvm.ready) {
      expect(kvm.blockedBy).toEqual(['kvm.module'])
      expect(kvm.summary).toMatch(/--deep confirmed: start: no answer within/)
      expect(kvm.logTail).toMatch(/Probing EDD/)
    }
    const tcg = by('tcg-virtio')
    expect(tcg.ready).toBe(false)
    if (!tcg.ready) expect(tcg.summary).toMatch(/kernel panic/)
    expect(by('docker').ready).toBe(false)
    expect(closed).toBe(1)
    expect(cleanup.pending).toEqual([])
  })

  it("--deep-tiers proves only the named tiers; the others keep the findings' verdict", async () => {
    let opened: string[] = []
    const driver = (id: string): TierDriver => ({
      id: id as TierDriver['id'],
      open: async () => {
        opened.push(id)
        return { tier: id as TierDriver['id'], config: {}, run: async () => ({ kind: 'ok', samples: [] }), close: async () => undefined }
      },
    })
    const drivers = { native: driver('native'), 'kvm-virtio': driver('kvm-virtio'), 'tcg-virtio': driver('tcg-virtio') }
    const out = await deepVerify(readiness, [kvmApiOk], { ...opts(drivers), only: ['kvm-virtio'] })
    expect(opened).toEqual(['kvm-virtio'])
    expect(out.find((r) => r.tier === 'native')).toEqual(readiness[0])
    expect(out.find((r) => r.tier === 'kvm-virtio')?.ready).toBe(true)
    opened = []
  })
})
