import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CleanupRegistry } from '../../../src/host/cleanup.js'
import { UsageError } from '../../../src/core/errors.js'
import { emuAarch64Driver } from '../../../src/tiers/user-emu/index.js'
import { emuAgentArgv, parseEmuOptions } from '../../../src/tiers/user-emu/options.js'
import { emuMissing, isRoot, requireAll } from '../qemu/need.js'
import { createPeerNetwork } from '../../../src/net/peer.js'
import { tierContext } from '../open-context.js'

describe('emu-aarch64 options', () => {
  it('builds the emulator argv and rejects unknown keys', () => {
    expect(emuAgentArgv('qemu-aarch64-static', '/b/vcwork', { ownNetns: false })).toEqual(['qemu-aarch64-static', '/b/vcwork', 'agent'])
    expect(emuAgentArgv('q', 'v', { cpu: 'cortex-a57', ownNetns: true })).toEqual([
      'unshare',
      '--net',
      '--',
      'q',
      '-cpu',
      'cortex-a57',
      'v',
      'agent',
    ])
    expect(parseEmuOptions({ cpu: 'cortex-a72' })).toEqual({ cpu: 'cortex-a72' })
    expect(() => parseEmuOptions({ smp: '2' })).toThrow(UsageError)
  })
})

const run = requireAll(await emuMissing())
// Inherited by every process the driver starts (the agent plumbing extends the environment).
const TEST_MARK = `VC_EMU_TEST_${process.pid}`
process.env[TEST_MARK] = '1'

/** Pids of live processes whose environment holds `entry` (unreadable ones are not ours). */
async function processesWithEnv(entry: string): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d) && d !== String(process.pid))
  const found: string[] = []
  for (const pid of pids) {
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '')
    if (environ.split('\0').includes(entry)) found.push(`${pid} ${await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => '')}`)
  }
  return found
}
let scratch: string
beforeAll(async () => {
  if (run) scratch = await mkdtemp(join(tmpdir(), 'vc-emu-test-'))
})
afterAll(async () => {
  if (run) await rm(scratch, { recursive: true, force: true })
})

describe.runIf(run)('emu-aarch64 under qemu-user (real)', () => {
  it('runs an aarch64 agent, one job, records the emulator, leaves no process', async () => {
    const cleanup = new CleanupRegistry()
    const ctx = tierContext(scratch, cleanup, { startTimeoutMs: 15_000 })
    try {
      const s = await emuAarch64Driver.open(ctx)
      expect(s.config).toMatchObject({ guestArch: 'aarch64', mode: 'qemu-user (TCG, user mode)' })
      const r = await s.run({ job: 'sys.syscall', reps: 1, params: { targetMs: 100 } })
      expect(r.kind).toBe('ok')
      if (r.kind === 'ok') expect(r.samples[0]!.value).toBeGreaterThan(0)
      const io = await s.run({ job: 'io.seq', reps: 1, params: { targetMs: 100, sizeMb: 8 } })
      if (io.kind === 'failed') throw new Error(io.reason)
      expect(io.samples.map((x) => x.metric).sort()).toEqual(['read', 'write'])
      // No peer namespace in this context: the loopback peer, as natively.
      const net = await s.run({ job: 'net.rr', reps: 1, params: { targetMs: 100 } })
      if (net.kind === 'failed') throw new Error(net.reason)
      await s.close()
    } finally {
      await cleanup.runAll()
    }
    // Only this test's emulators count: other test files run the same aarch64 vcwork under
    // qemu-user at the same time (workloads/build.test.ts), so the mark in the environment decides.
    expect((await processesWithEnv(`${TEST_MARK}=1`)).filter((p) => /qemu-aarch64|vcwork/.test(p))).toEqual([])
  }, 60_000)

  it.runIf(isRoot)(
    'reaches the peer from its own network namespace over a veth',
    async () => {
      const cleanup = new CleanupRegistry()
      try {
        const network = await createPeerNetwork(cleanup, { maxSeconds: 60 })
        const ctx = tierContext(scratch, cleanup, { startTimeoutMs: 15_000, network })
        const s = await emuAarch64Driver.open(ctx)
        expect(String(s.config['network'])).toMatch(/^own network namespace, veth/)
        const r = await s.run({ job: 'net.rr', reps: 1, params: { targetMs: 100 } })
        if (r.kind === 'failed') throw new Error(r.reason)
        expect(r.samples.find((x) => x.metric === 'tps')!.value).toBeGreaterThan(0)
        await s.close()
      } finally {
        await cleanup.runAll()
      }
    },
    60_000,
  )
})
