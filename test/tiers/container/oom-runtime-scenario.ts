/**
 * The memory-limit scenario for the runtime tiers (podman, lxc), for real: a real memory cgroup set
 * by the runtime, a real OOM kill. A job above memory-mib must fail naming the cause, the limit and the
 * evidence; the next jobs run in a fresh container (network peer re-attached); a SIGKILL that is not an
 * OOM (same exit status 137) must not be called one; nothing may be left behind.
 * Shared by podman-memory-limit.test.ts and lxc-memory-limit.test.ts (not a test file itself).
 */
import { execa } from 'execa'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { readCgroupLayout } from '../../../src/tiers/container/cgroups.js'
import { controllerHome } from '../../../src/tiers/container/cgroup-layout.js'
import { memoryCgroupOf } from '../../../src/tiers/container/oom.js'
import { createPeerNetwork } from '../../../src/net/peer.js'
import { CleanupRegistry } from '../../../src/host/cleanup.js'
import type { TierDriver } from '../../../src/core/tier.js'
import { realMissing } from '../../bench/need.js'
import { tierContext } from '../open-context.js'
import { expect32MiBLimit, expectOk, reasonOf, streamOutOfMemory } from './memory-checks.js'

const has = (bin: string) => ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin'].some((d) => existsSync(join(d, bin)))

/** What the scenario needs; under CI=true a missing piece fails the test instead of skipping it. */
export const needFor = (bins: readonly string[], extra: readonly string[] = []) => {
  const missing = [...realMissing, ...bins.filter((b) => !has(b)), ...extra]
  return { skip: missing.length > 0 && process.env['CI'] !== 'true', missing }
}

/** Host pids of running `vcwork` processes whose memory cgroup path (as in /proc/PID/cgroup) matches. */
export const vcworkPids = async (memcgMatches: (path: string) => boolean): Promise<number[]> => {
  const home = controllerHome(await readCgroupLayout(), 'memory')
  if (!home) throw new Error('no memory cgroup controller on this host')
  const pids: number[] = []
  for (const p of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    if ((await readFile(`/proc/${p}/comm`, 'utf8').catch(() => '')).trim() !== 'vcwork') continue
    const cg = await memoryCgroupOf(Number(p), home)
    if (cg && memcgMatches(cg.path)) pids.push(Number(p))
  }
  return pids
}

export interface Scenario {
  readonly driver: TierDriver
  /** The tier's running agent (vcwork, the container's init): exactly one while a session is open. */
  agentPid(): Promise<number>
  /** What the OOM reason must show as evidence, given the agent's pid at the time. */
  expectEvidence(reason: string, agentPid: number): void
  /** What a non-OOM death's reason must show besides the exit. */
  expectNotOom?(reason: string): void
  /** Anything of this test's containers still there (runtime's own listing, cgroups, processes): '' when clean. */
  leftovers(): Promise<string>
}

export const runOomScenario = async (sc: Scenario): Promise<void> => {
  const tier = sc.driver.id
  const work = await mkdtemp(join(tmpdir(), `vc-${tier}-mem-test-`))
  const cleanup = new CleanupRegistry()
  const home = controllerHome(await readCgroupLayout(), 'memory')!
  try {
    const network = await createPeerNetwork(cleanup, { maxSeconds: 60 })
    const s = await sc.driver.open(tierContext(work, cleanup, { startTimeoutMs: 30_000, network, options: { 'memory-mib': '32' } }))
    expect(s.config).toMatchObject({ memoryMiB: 32 })
    // The runtime set the limit on the container's memory cgroup, and no swap beyond it (where swap is accounted).
    const first = await sc.agentPid()
    const cg = (await memoryCgroupOf(first, home))!
    expect(cg).toBeDefined()
    await expect32MiBLimit(cg.dir, cg.version)

    const reason = await streamOutOfMemory(s)
    expect(reason).toContain(`--tier-opt ${tier}.memory-mib=32`)
    expect(reason).toContain('the kernel OOM killer ended vcwork')
    expect(reason).toMatch(/the container ended: \S+ exited with code 137 \(SIGKILL\)/)
    sc.expectEvidence(reason, first)

    // The tier goes on in a fresh container, network peer included.
    expectOk(await s.run({ job: 'cpu.int', reps: 1, params: { targetMs: 50 } }))
    expectOk(await s.run({ job: 'net.rr', reps: 1, params: { targetMs: 100 } }))
    const second = await sc.agentPid()
    expect(second).not.toBe(first)

    // A kill that is not an OOM (SIGKILL from outside; the same exit status 137) is the agent dying, not out of memory.
    const job = s.run({ job: 'cpu.int', reps: 1, params: { targetMs: 3_000 } })
    await new Promise((r) => setTimeout(r, 300))
    process.kill(second, 'SIGKILL')
    const killed = reasonOf(await job)
    expect(killed).not.toContain('out of memory')
    expect(killed).not.toContain('OOM killer ended')
    expect(killed).toMatch(/^cpu\.int: agent output stream (ended|closed) \(the container ended: \S+ exited with code 137 \(SIGKILL\)/)
    sc.expectNotOom?.(killed)
    expect(killed).toContain('A fresh container with the same limits runs the remaining jobs')
    expectOk(await s.run({ job: 'cpu.int', reps: 1, params: { targetMs: 50 } }))

    await s.close()
  } finally {
    await cleanup.runAll()
    await rm(work, { recursive: true, force: true })
  }
  // Nothing left: containers, their cgroups and processes, the peer's namespace.
  expect(await sc.leftovers()).toBe('')
  const cgroups = await execa('sh', ['-c', 'ls /sys/fs/cgroup/*/ /sys/fs/cgroup/ 2>/dev/null | grep virtcheck- || true'])
  expect(cgroups.stdout).not.toContain(`virtcheck-${process.pid}-`)
  expect((await execa('ip', ['netns', 'list'])).stdout).not.toContain(`virtcheck-${process.pid}-`)
  expect(String((await execa('pgrep', ['-af', work], { reject: false })).stdout).trim()).toBe('')
}
