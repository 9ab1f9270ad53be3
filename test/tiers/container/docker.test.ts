/**
 * The docker tier against a real engine: every job of the catalog runs in one container of an image
 * imported from virtcheck's own rootfs, the network jobs over the veth into virtcheck's peer namespace,
 * with --cpus and --memory applied (read back from the container's own cgroup), and nothing left behind:
 * no container, no image beyond those that were there before, no netns, no cgroup.
 * `.ci/run` starts a private dockerd (no bridge, no iptables) and exports DOCKER_HOST; under CI=true a
 * missing engine fails here, elsewhere the test is skipped with the reason.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { dockerDriver } from '../../../src/tiers/container/docker.js'
import { createPeerNetwork } from '../../../src/net/peer.js'
import { CleanupRegistry } from '../../../src/host/cleanup.js'
import { JOBS, requestParams } from '../../../workloads/index.js'
import { realMissing } from '../../bench/need.js'
import { tierContext } from '../open-context.js'

const docker = (...args: string[]) => execa('docker', args, { reject: false, timeout: 20_000 })
const engine = await docker('version', '--format', '{{.Server.Version}}')
const missing = [
  ...realMissing,
  ...(engine.exitCode === 0
    ? []
    : [
        `a docker engine (${
          String(engine.stderr || engine.message)
            .trim()
            .split('\n')
            .slice(-1)[0]
        })`,
      ]),
]
const skip = missing.length > 0 && process.env['CI'] !== 'true'

const images = async () => (await docker('images', '-q', '--no-trunc')).stdout.split('\n').filter(Boolean).sort()
const ours = async () => (await docker('ps', '-a', '-q', '--filter', `name=virtcheck-${process.pid}-`)).stdout.trim()

/** The value of a cgroup v1 file of the container's init, found from /proc/PID/cgroup. */
const cgroupValue = async (pid: number, controller: string, file: string): Promise<string> => {
  const line = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n').find((l) => l.split(':')[1]?.split(',').includes(controller))
  if (!line) throw new Error(`no ${controller} cgroup for pid ${pid}`)
  return (await readFile(join('/sys/fs/cgroup', controller, line.split(':')[2] ?? '', file), 'utf8')).trim()
}

describe.skipIf(skip)('docker tier (real engine, image imported from the rootfs)', () => {
  it('runs every job with cpu-quota and memory-mib applied, the network jobs through the peer netns, and cleans up', async () => {
    expect(missing, 'CI starts a private dockerd and exports DOCKER_HOST (.ci/run)').toEqual([])
    const imagesBefore = await images()
    const cleanup = new CleanupRegistry()
    const work = await mkdtemp(join(tmpdir(), 'vc-docker-'))
    try {
      const network = await createPeerNetwork(cleanup, { maxSeconds: 120 })
      const s = await dockerDriver.open(
        tierContext(work, cleanup, { startTimeoutMs: 60_000, network, options: { 'cpu-quota': '50', 'memory-mib': '256' } }),
      )
      expect(s.config).toMatchObject({ runtime: 'docker', cpuQuotaPct: 50, memoryMiB: 256 })
      expect(String(s.config['image'])).toMatch(/imported from virtcheck's rootfs/)
      expect(String(s.config['network'])).toContain('veth')
      // the limits as the kernel holds them for this container
      const id = await ours()
      const pid = Number((await docker('inspect', '-f', '{{.State.Pid}}', id)).stdout.trim())
      expect(pid).toBeGreaterThan(0)
      expect(await cgroupValue(pid, 'cpu', 'cpu.cfs_quota_us')).toBe(String(Number(await cgroupValue(pid, 'cpu', 'cpu.cfs_period_us')) / 2))
      expect(await cgroupValue(pid, 'memory', 'memory.limit_in_bytes')).toBe(String(256 * 2 ** 20))
      for (const job of JOBS) {
        const { params } = requestParams(job, 'quick')
        const out = await s.run({ job: job.id, reps: 1, params: { ...params, targetMs: 100 } })
        expect(out.kind, `${job.id}: ${JSON.stringify(out).slice(0, 800)}`).toBe('ok')
        if (out.kind === 'ok') expect(out.samples.length, job.id).toBeGreaterThan(0)
      }
      await s.close()
    } finally {
      await cleanup.runAll()
      await rm(work, { recursive: true, force: true })
    }
    expect(await ours()).toBe('')
    expect(await images()).toEqual(imagesBefore)
    expect((await execa('ip', ['netns', 'list'])).stdout).not.toContain(`virtcheck-${process.pid}-`)
    const cgroups = (await execa('sh', ['-c', 'ls /sys/fs/cgroup/*/'])).stdout
      .split('\n')
      .filter((l) => l.includes(`virtcheck-${process.pid}-`))
    expect(cgroups).toEqual([])
  }, 240_000)
})
