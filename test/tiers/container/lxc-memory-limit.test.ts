/**
 * lxc.memory-mib for real (lxc-execute): see oom-runtime-scenario.ts. lxc removes the container's
 * cgroup when it ends; its stop hook keeps a copy of the OOM counters first, so the reason shows the
 * same oom_kill before -> after as the built-in container's.
 */
import { describe, expect, it } from 'vitest'
import { lxcDriver } from '../../../src/tiers/container/lxc.js'
import { needFor, runOomScenario, vcworkPids } from './oom-runtime-scenario.js'

const need = needFor(['lxc-execute', 'lxc-info'])
const ours = `lxc.payload.virtcheck-${process.pid}-lxc`

describe.skipIf(need.skip)('lxc tier: memory limit (real cgroup, real OOM kill)', () => {
  it('has every component it needs', () => expect(need.missing).toEqual([]))

  it("a job above lxc.memory-mib fails as out of memory with the cgroup's counters; the next jobs run; a plain SIGKILL is not called OOM; nothing is left", async () => {
    await runOomScenario({
      driver: lxcDriver,
      agentPid: async () => {
        const pids = await vcworkPids((p) => p.includes(ours))
        expect(pids).toHaveLength(1)
        return pids[0]!
      },
      expectEvidence: (reason) => expect(reason).toMatch(/; memory\.oom_control oom_kill 0 -> 1\)/),
      expectNotOom: (reason) => expect(reason).not.toContain('unknown'),
      leftovers: async () => (await vcworkPids((p) => p.includes(ours))).join(' '),
    })
  }, 60_000)
})
