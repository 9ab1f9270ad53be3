/**
 * REAL guests: boots tcg-virtio and tcg-emulated once each (~2 s boot + jobs), runs a syscall, an IO
 * job on the guest's virtual disk and a net job to the peer namespace; checks that a KVM tier on a
 * host where KVM cannot boot standard guests (kvm_pvm) fails within its timeout with the console
 * tail, and that an abort during boot leaves no QEMU behind.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CleanupRegistry } from '../../../src/host/cleanup.js'
import { RealHost } from '../../../src/host/real-host.js'
import type { Finding } from '../../../src/core/finding.js'
import { kvmCapabilityProbe } from '../../../probes/kvm.js'
import type { PeerNetwork, TierOpenContext, TierSession } from '../../../src/core/tier.js'
import { qemuDrivers } from '../../../src/tiers/qemu/index.js'
import { createPeerNetwork } from '../../../src/net/peer.js'
import { isRoot, leftoverQemu, qemuMissing, requireAll, requireGuestKernel } from './need.js'
import { tierContext } from '../open-context.js'

const run = requireAll(await qemuMissing())
const driver = (id: string) => qemuDrivers.find((d) => d.id === id)!

let scratch: string
const runCleanup = new CleanupRegistry()
let network: PeerNetwork | undefined
/** What the probe found about KVM here: tiers take it from the open context, as in a real run. */
let findings: readonly Finding[] = []

beforeAll(async () => {
  if (!run) return
  scratch = await mkdtemp(join(tmpdir(), 'vc-qemu-test-'))
  findings = await kvmCapabilityProbe.check(new RealHost())
  await requireGuestKernel()
  if (isRoot) network = await createPeerNetwork(runCleanup, { maxSeconds: 120 })
  else if (process.env['CI'] === 'true') throw new Error('CI=true but not root: the guest network peer needs root')
}, 300_000)

afterAll(async () => {
  if (!run) return
  await runCleanup.runAll()
  await rm(scratch, { recursive: true, force: true })
})

const ctxFor = (cleanup: CleanupRegistry, startTimeoutMs: number, signal = new AbortController().signal): TierOpenContext =>
  tierContext(scratch, cleanup, { findings, signal, startTimeoutMs, ...(network ? { network } : {}) })

const values = async (s: TierSession, job: string, params: Record<string, number>) => {
  const r = await s.run({ job, reps: 1, params: { targetMs: 100, ...params } })
  if (r.kind === 'failed') throw new Error(`${job} failed: ${r.reason}\n${r.logTail ?? ''}`)
  return Object.fromEntries(r.samples.map((x) => [x.metric, x.value]))
}

describe.runIf(run)('QEMU TCG guests (real boots)', () => {
  for (const [tier, nic, disk] of [
    ['tcg-virtio', 'virtio-net-pci', '/dev/vda'],
    ['tcg-emulated', 'e1000', '/dev/sda'],
  ] as const) {
    it(`${tier}: boots once, runs syscall + IO on ${disk} + net to the peer, records its config, leaves nothing`, async () => {
      const cleanup = new CleanupRegistry()
      try {
        const s = await driver(tier).open(ctxFor(cleanup, 30_000))
        expect(s.bootMs).toBeGreaterThan(100)
        expect(s.config).toMatchObject({
          accel: 'tcg',
          machine: 'q35',
          guestDisk: disk,
          kernelSource: 'cache',
          kernelFlavour: 'generic',
          vhost: false,
        })
        expect(String(s.config['qemuCommand'])).toContain(`-name virtcheck-${process.pid}-${tier}`)
        expect(String(s.config['qemuVersion'])).toMatch(/^\d+\.\d+/)
        expect(Number(s.config['bootToUserspaceMs'])).toBeLessThan(s.bootMs!)
        expect((await values(s, 'sys.syscall', {}))['syscall']).toBeGreaterThan(0)
        const io = await values(s, 'io.seq', { sizeMb: 16 })
        expect(io['write']).toBeGreaterThan(0)
        expect(io['read']).toBeGreaterThan(0)
        if (network) {
          expect(s.config['nic']).toBe(nic)
          expect((await values(s, 'net.stream', {}))['throughput']).toBeGreaterThan(0)
        } else {
          const r = await s.run({ job: 'net.stream', reps: 1, params: { targetMs: 100 } })
          expect(r).toMatchObject({ kind: 'failed' })
        }
        const overhead = await s.overheadRssBytes!()
        expect(overhead).toBeGreaterThan(10 * 1024 * 1024)
        await s.close()
      } finally {
        await cleanup.runAll()
      }
      expect(await leftoverQemu()).toBe('')
      expect((await readdir(scratch)).filter((f) => f.endsWith('.raw'))).toEqual([])
    }, 90_000)
  }

  it('kvm-virtio: on a kvm_pvm host or without /dev/kvm, fails within its timeout with the reason and the console tail; nothing left', async () => {
    const noKvm = !existsSync('/dev/kvm')
    // a PVM guest kernel has kvm_pvm built in but unbound (no /dev/kvm): that is the no-KVM case
    const pvm = !noKvm && existsSync('/sys/module/kvm_pvm') && !existsSync('/sys/module/kvm_intel') && !existsSync('/sys/module/kvm_amd')
    const cleanup = new CleanupRegistry()
    const t0 = performance.now()
    const timeoutMs = 6_000
    let err: unknown
    let session: TierSession | undefined
    try {
      session = await driver('kvm-virtio').open(ctxFor(cleanup, timeoutMs))
    } catch (e) {
      err = e
    }
    const elapsed = performance.now() - t0
    await session?.close()
    await cleanup.runAll()
    expect(elapsed).toBeLessThan(timeoutMs + 4_000)
    if (pvm || noKvm) {
      expect(err).toBeInstanceOf(Error)
      expect((err as Error).message).toMatch(/kvm-virtio: /)
      if (pvm) {
        const message = (err as Error).message
        expect(message).toMatch(/kvm_pvm, which runs only guests built for PVM/)
        // Either way QEMU fails under PVM, the reason is QEMU's own: an abort with its stderr, or the
        // deadline with the hang explained. Never the agent stream's end.
        expect(message).not.toMatch(/agent output stream/)
        if (/aborted/.test(message)) {
          expect(message).toMatch(/QEMU aborted \(SIGABRT\) before the (guest started|agent was ready): .*failed to set MSR/)
          expect((err as { logTail: string }).logTail).toMatch(/--- qemu stderr ---[\s\S]*kvm_buf_set_msrs/)
        } else {
          expect(message).toMatch(/did not reach the agent within 6000 ms.*hangs in early boot/)
        }
      }
      if (noKvm) expect((err as Error).message).toMatch(/cannot open \/dev\/kvm .*ENOENT/)
      expect(typeof (err as { logTail?: unknown }).logTail).toBe('string')
    }
    expect(await leftoverQemu()).toBe('')
  }, 30_000)

  it('an abort during boot stops the guest at once and leaves no QEMU', async () => {
    const cleanup = new CleanupRegistry()
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 300)
    const t0 = performance.now()
    await expect(driver('tcg-virtio').open(ctxFor(cleanup, 30_000, ac.signal))).rejects.toThrow(/interrupted/)
    expect(performance.now() - t0).toBeLessThan(5_000)
    await cleanup.runAll()
    expect(await leftoverQemu()).toBe('')
  }, 30_000)
})
