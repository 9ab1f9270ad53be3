/**
 * container.memory-mib for real: a job that needs more than the limit is ended by the kernel's cgroup
 * OOM killer (no mocks: a real memory cgroup, a real OOM kill). The job must fail with a reason that
 * names the cause and the limit, the next job must run in a fresh container, a kill that is not an OOM
 * must not be called one, and nothing may be left behind (cgroups, processes).
 */
import { execa } from 'execa'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { containerDriver } from '../../../src/tiers/container/builtin.js'
import { readCgroupLayout } from '../../../src/tiers/container/cgroups.js'
import { controllerHome } from '../../../src/tiers/container/cgroup-layout.js'
import { CleanupRegistry } from '../../../src/host/cleanup.js'
import type { TierOpenContext } from '../../../src/core/tier.js'
import { assertRealAvailable, skipReal } from '../../bench/need.js'
import { tierContext } from '../open-context.js'
import { expect32MiBLimit, expectOk, reasonOf, streamOutOfMemory } from './memory-checks.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vc-ctr-mem-test-'))
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

const ctxFor = (cleanup: CleanupRegistry, options: Record<string, string>): TierOpenContext => tierContext(work, cleanup, { options })

const ours = `virtcheck-${process.pid}-ctr`

/** This test process's container cgroups under the memory controller's mount (v1 or v2). */
const memoryCgroups = async (): Promise<{ version: 'v1' | 'v2'; dirs: string[] }> => {
  const home = controllerHome(await readCgroupLayout(), 'memory')
  if (!home) throw new Error('no memory cgroup controller on this host')
  const dirs = (await readdir(home.mount)).filter((d) => d.startsWith(ours)).map((d) => join(home.mount, d))
  return { version: home.version, dirs }
}

/** Processes still running from this test's containers (their argv names the rootfs under `work`). */
const leftoverProcesses = async (): Promise<string> => String((await execa('pgrep', ['-af', work], { reject: false })).stdout).trim()

describe.skipIf(skipReal)('built-in container: memory limit (real cgroup, real OOM kill)', () => {
  it('has every component it needs', () => assertRealAvailable())

  it('a job above container.memory-mib fails as out of memory naming the limit; the next jobs run; nothing is left', async () => {
    const cleanup = new CleanupRegistry()
    const before = (await memoryCgroups()).dirs
    let memDir: string | undefined
    try {
      const s = await containerDriver.open(ctxFor(cleanup, { 'memory-mib': '32' }))
      const { version, dirs } = await memoryCgroups()
      memDir = dirs.find((d) => !before.includes(d))
      expect(memDir).toBeDefined()
      // The limit, and no swap beyond it where the kernel accounts swap (else a job would swap instead of failing).
      await expect32MiBLimit(memDir!, version)
      expect(s.config).toMatchObject({ memoryMiB: 32 })

      const reason = await streamOutOfMemory(s)
      expect(reason).toContain('container.memory-mib=32')
      expect(reason).toContain('OOM killer')
      expect(reason).toMatch(/(memory\.oom_control|memory\.events) oom_kill 0 -> 1/)
      // The kernel's own counter agrees: it was a real OOM kill in this cgroup.
      const counters = await readFile(join(memDir!, version === 'v1' ? 'memory.oom_control' : 'memory.events'), 'utf8')
      expect(counters).toMatch(/^oom_kill 1$/m)

      // The tier goes on: the next job runs in a fresh container in the same cgroups.
      expectOk(await s.run({ job: 'cpu.int', reps: 1, params: { targetMs: 50 } }))

      // A kill that is not an OOM (SIGKILL from outside) is reported as the agent dying, not as out of memory.
      const job = s.run({ job: 'cpu.int', reps: 1, params: { targetMs: 3_000 } })
      await new Promise((r) => setTimeout(r, 300))
      const procs = (await readFile(join(memDir!, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean)
      const comms = await Promise.all(
        procs.map(async (p) => [p, (await readFile(`/proc/${p}/comm`, 'utf8').catch(() => '')).trim()] as const),
      )
      const vcwork = comms.find(([, c]) => c === 'vcwork')?.[0]
      expect(vcwork).toBeDefined()
      process.kill(Number(vcwork), 'SIGKILL')
      const killed = reasonOf(await job)
      expect(killed).not.toContain('out of memory')
      expect(killed).toMatch(/^cpu\.int: agent output stream (ended|closed) \(the container ended/)
      expect(killed).toContain('A fresh container with the same limits runs the remaining jobs')
      expectOk(await s.run({ job: 'cpu.int', reps: 1, params: { targetMs: 50 } }))

      await s.close()
    } finally {
      await cleanup.runAll()
    }
    // Nothing left: the memory cgroup (rmdir succeeds only once no task is in it), the other
    // controllers' cgroups, and every process of the containers.
    expect(memDir).toBeDefined()
    expect((await memoryCgroups()).dirs.filter((d) => !before.includes(d))).toEqual([])
    const left = await execa('sh', ['-c', 'ls /sys/fs/cgroup/*/ /sys/fs/cgroup/ 2>/dev/null | grep virtcheck- || true'])
    expect(left.stdout).not.toContain(ours)
    expect(await leftoverProcesses()).toBe('')
  }, 30_000)
})
