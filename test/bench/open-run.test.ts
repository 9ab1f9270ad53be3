import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CleanupRegistry } from '../../src/host/cleanup.js'

// The peer needs root and creates namespaces; these tests only care which failures the setup tolerates.
const createPeerNetwork = vi.fn()
vi.mock('../../src/net/peer.js', async (real) => ({
  ...(await real<object>()),
  createPeerNetwork: (...a: unknown[]) => createPeerNetwork(...a),
}))
const { PeerUnavailableError } = await import('../../src/net/peer.js')
const { openRunResources, probeForRun } = await import('../../src/bench/open-run.js')

let home = ''
const saved = process.env['VIRTCHECK_HOME']
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'vc-open-run-'))
  process.env['VIRTCHECK_HOME'] = home
  createPeerNetwork.mockReset()
})
afterEach(async () => {
  if (saved === undefined) delete process.env['VIRTCHECK_HOME']
  else process.env['VIRTCHECK_HOME'] = saved
  await rm(home, { recursive: true, force: true })
})

const base = { tiers: ['native', 'container'] as const, needsPeer: false, maxSeconds: 60, tolerate: 'unavailable' as const }

describe('openRunResources', () => {
  it('bench layout: the fixed work folder is removed at cleanup, the shared scratch stays', async () => {
    const cleanup = new CleanupRegistry()
    const work = join(home, 'runs', 'x', 'work-1')
    const r = await openRunResources(cleanup, { ...base, work, label: 'run work dir', scratch: 'shared' })
    expect(r).toEqual({ workDir: work, scratchDir: join(home, 'scratch') })
    expect(cleanup.pending).toEqual([`run work dir ${work}`])
    await cleanup.runAll()
    expect(existsSync(work)).toBe(false)
    expect(existsSync(r.scratchDir)).toBe(true)
  })

  it('ab layout: a fresh folder under the home with its scratch inside, removed together', async () => {
    const cleanup = new CleanupRegistry()
    const r = await openRunResources(cleanup, { ...base, work: { tempPrefix: 'ab-' }, label: 'ab working folder', scratch: 'inside' })
    expect(dirname(r.workDir)).toBe(home)
    expect(r.workDir).toMatch(/\/ab-[^/]+$/)
    expect(r.scratchDir).toBe(join(r.workDir, 'scratch'))
    expect(cleanup.pending).toEqual([`ab working folder ${r.workDir}`])
    await cleanup.runAll()
    expect(existsSync(r.workDir)).toBe(false)
  })

  it('no peer unless a net job runs in a tier outside the host namespace', async () => {
    const o = { ...base, work: join(home, 'w'), label: 'w', scratch: 'shared' as const }
    await openRunResources(new CleanupRegistry(), { ...o, needsPeer: false })
    await openRunResources(new CleanupRegistry(), { ...o, needsPeer: true, tiers: ['native'] })
    expect(createPeerNetwork).not.toHaveBeenCalled()
    createPeerNetwork.mockResolvedValue({ netns: 'ns' })
    const r = await openRunResources(new CleanupRegistry(), { ...o, needsPeer: true })
    expect(r.network).toEqual({ netns: 'ns' })
    expect(createPeerNetwork.mock.calls[0]?.[1]).toEqual({ maxSeconds: 60 })
  })

  it('an unavailable peer is a reason for both; other failures stop bench but not ab', async () => {
    const o = { ...base, work: join(home, 'w'), label: 'w', scratch: 'shared' as const, needsPeer: true }
    createPeerNetwork.mockRejectedValue(new PeerUnavailableError('needs root'))
    expect((await openRunResources(new CleanupRegistry(), o)).networkUnavailable).toBe('needs root')
    createPeerNetwork.mockRejectedValue(new Error('ip netns add failed'))
    await expect(openRunResources(new CleanupRegistry(), o)).rejects.toThrow('ip netns add failed')
    const ab = await openRunResources(new CleanupRegistry(), { ...o, tolerate: 'any' })
    expect(ab).toMatchObject({ networkUnavailable: 'ip netns add failed' })
    expect(ab.network).toBeUndefined()
  })
})

describe('probeForRun', () => {
  it('--from-probe: findings come from the saved report, readiness is decided from them', async () => {
    const file = join(import.meta.dirname, '..', 'fixtures', 'reports', 'bare-metal-kvm.json')
    const saved = JSON.parse(await readFile(file, 'utf8')) as { findings: unknown[] }
    const r = await probeForRun({ env: {}, cwd: process.cwd(), fromProbe: file })
    expect(r.findings).toEqual(saved.findings)
    expect(r.readiness.map((t) => t.tier)).toContain('native')
  })
})
