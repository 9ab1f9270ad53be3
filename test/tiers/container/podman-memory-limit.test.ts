/**
 * podman.memory-mib for real (runc, cgroupfs): see oom-runtime-scenario.ts. podman removes the
 * container's cgroup with the container, so after the agent died the kernel log's OOM-kill record for
 * the agent's pid is the evidence; the test checks it names the pid the agent had.
 */
import { accessSync, constants, existsSync } from 'node:fs'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { podmanDriver } from '../../../src/tiers/container/podman.js'
import { needFor, runOomScenario, vcworkPids } from './oom-runtime-scenario.js'

const kmsgReadable = (() => {
  try {
    accessSync('/dev/kmsg', constants.R_OK)
    return true
  } catch {
    return false
  }
})()
const need = needFor(['podman', 'runc'], kmsgReadable ? [] : ['a readable /dev/kmsg (root)'])
const ours = `virtcheck-${process.pid}-podman`

describe.skipIf(need.skip)('podman tier: memory limit (real cgroup, real OOM kill)', () => {
  it('has every component it needs', () => expect(need.missing).toEqual([]))

  it("a job above podman.memory-mib fails as out of memory with the kernel's record; the next jobs run; a plain SIGKILL is not called OOM; nothing is left", async () => {
    await runOomScenario({
      driver: podmanDriver,
      agentPid: async () => {
        const names = String((await execa('podman', ['ps', '--format', '{{.Names}}', '--filter', `name=${ours}`])).stdout)
          .split('\n')
          .filter(Boolean)
        expect(names).toHaveLength(1)
        const pid = Number(String((await execa('podman', ['inspect', '-f', '{{.State.Pid}}', names[0]!])).stdout).trim())
        expect(await vcworkPids((p) => p.includes('libpod-'))).toContain(pid)
        return pid
      },
      expectEvidence: (reason, pid) => {
        expect(reason).toContain('memory.oom_control oom_kill was 0 before the job')
        expect(reason).toContain("podman removed the container's memory cgroup with it, so the kernel log is the evidence")
        expect(reason).toContain(`Killed process ${pid} (vcwork)`)
      },
      expectNotOom: (reason) => expect(reason).toContain('the kernel log records no OOM kill in this container'),
      leftovers: async () =>
        String((await execa('podman', ['ps', '-a', '--format', '{{.Names}}', '--filter', `name=${ours}`])).stdout).trim(),
    })
    // conmon's OOM marker stays in the tier's work folder, not in the caller's directory
    expect(existsSync('oom')).toBe(false)
  }, 60_000)
})
