import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nativeDriver } from '../../../src/tiers/native/index.js'
import { runAdaptive } from '../../../src/bench/adaptive.js'
import { CleanupRegistry } from '../../../src/host/cleanup.js'
import { assertRealAvailable, skipReal } from '../../bench/need.js'
import { tierContext } from '../open-context.js'

/** The native tier's cpu cgroup directory of this process, if there is one (v1 cpu or v2 unified). */
const ownCpuCgroup = async (): Promise<string | undefined> => {
  const prefix = `virtcheck-${process.pid}-native`
  for (const root of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup']) {
    const name = (await readdir(root).catch(() => [] as string[])).find((n) => n.startsWith(prefix))
    if (name) return join(root, name)
  }
  return undefined
}

describe.skipIf(skipReal)('native tier (real vcwork agent)', () => {
  it('has every component it needs', () => assertRealAvailable())

  it('runs two quick jobs adaptively, records its config, and leaves nothing behind', async () => {
    const cleanup = new CleanupRegistry()
    const scratch = await mkdtemp(join(tmpdir(), 'vc-native-'))
    try {
      const s = await nativeDriver.open(tierContext(scratch, cleanup))
      expect(s.config).toMatchObject({ runtime: 'host process', arch: 'x86_64', network: 'loopback (127.0.0.1)' })
      expect(s.bootMs).toBeGreaterThan(0)
      // As root the agent runs in cgroups of its own, like the built-in container's (src/tiers/native)
      const ownCpu = await ownCpuCgroup()
      if (process.getuid?.() === 0) {
        expect(s.config['cgroup']).toMatch(/^own, no limits/)
        expect(ownCpu).toBeDefined()
        // the agent (and only it) is in there
        expect((await readFile(join(ownCpu!, 'cgroup.procs'), 'utf8')).trim().split('\n')).toHaveLength(1)
      } else expect(s.config['cgroup']).toBe("the caller's (not root)")
      const policy = { minReps: 3, maxReps: 6, ciTarget: 0.5, jobBudgetMs: 20_000, deadline: performance.now() + 60_000 }
      const cpu = await runAdaptive(s, { job: 'cpu.int', params: { targetMs: 100 } }, policy)
      expect(['ci-reached', 'max-reps']).toContain(cpu.stop) // a busy shared host may not reach ±50 %
      expect(cpu.reps).toBeGreaterThanOrEqual(3)
      expect(cpu.samples.every((x) => x.metric === 'ops' && x.value > 0)).toBe(true)
      const io = await runAdaptive(s, { job: 'io.seq', params: { targetMs: 100, sizeMb: 16 } }, policy)
      expect(io.failure).toBeUndefined()
      expect(new Set(io.samples.map((x) => x.metric))).toEqual(new Set(['write', 'read']))
      await s.close()
      expect(await readdir(scratch)).toEqual([]) // scratch file removed
      expect(cleanup.pending).toEqual([])
      if (ownCpu) await expect(access(ownCpu)).rejects.toThrow() // the cgroup is removed at close
    } finally {
      await cleanup.runAll()
      await rm(scratch, { recursive: true, force: true })
    }
  }, 60_000)
})
