import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { lxcDriver } from '../../../src/tiers/container/lxc.js'
import { podmanDriver } from '../../../src/tiers/container/podman.js'
import { dockerDriver } from '../../../src/tiers/container/docker.js'
import { createPeerNetwork } from '../../../src/net/peer.js'
import { CleanupRegistry } from '../../../src/host/cleanup.js'
import type { TierDriver } from '../../../src/core/tier.js'
import { realMissing } from '../../bench/need.js'
import { tierContext } from '../open-context.js'

const has = (bin: string) => ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin'].some((d) => existsSync(join(d, bin)))

const cgroupDebris = async () =>
  (await execa('sh', ['-c', 'ls /sys/fs/cgroup/*/'])).stdout.split('\n').filter((l) => l.includes(`virtcheck-${process.pid}-`))

/** Runs cpu.int and net.rr (over the veth) in one runtime and checks nothing is left. */
const exercise = async (driver: TierDriver, runtime: string) => {
  const cleanup = new CleanupRegistry()
  const work = await mkdtemp(join(tmpdir(), `vc-${driver.id}-`))
  try {
    const network = await createPeerNetwork(cleanup, { maxSeconds: 60 })
    const s = await driver.open(tierContext(work, cleanup, { startTimeoutMs: 30_000, network }))
    expect(s.config['runtime']).toBe(runtime)
    expect(String(s.config['network'])).toContain('veth')
    const cpu = await s.run({ job: 'cpu.int', reps: 2, params: { targetMs: 100 } })
    expect(cpu.kind, JSON.stringify(cpu).slice(0, 1500)).toBe('ok')
    const rr = await s.run({ job: 'net.rr', reps: 1, params: { targetMs: 200 } })
    expect(rr.kind, JSON.stringify(rr).slice(0, 1500)).toBe('ok')
    await s.close()
  } finally {
    await cleanup.runAll()
    await rm(work, { recursive: true, force: true })
  }
  expect(await cgroupDebris()).toEqual([])
  expect((await execa('ip', ['netns', 'list'])).stdout).not.toContain(`virtcheck-${process.pid}-`)
}

const need = (bin: string) => {
  const missing = [...realMissing, ...(has(bin) ? [] : [bin])]
  return { skip: missing.length > 0 && process.env['CI'] !== 'true', missing }
}

describe.skipIf(need('lxc-execute').skip)('lxc tier (real lxc-execute)', () => {
  it('runs jobs in its own rootfs and namespaces, reaches the peer, cleans up', async () => {
    expect(need('lxc-execute').missing).toEqual([])
    await exercise(lxcDriver, 'lxc-execute')
  }, 60_000)
})

describe.skipIf(need('podman').skip)('podman tier (real podman --rootfs)', () => {
  it('runs jobs with runc and lowered rlimits, reaches the peer, cleans up', async () => {
    expect(need('podman').missing).toEqual([])
    await exercise(podmanDriver, 'podman')
    expect((await readdir('/sys/fs/cgroup/cpu')).filter((d) => d === 'libpod_parent')).toEqual([])
  }, 90_000)
})

describe('docker tier without a daemon', () => {
  it.skipIf(!has('docker'))(
    'fails fast with the reason instead of hanging',
    async () => {
      // an engine may run here (CI starts one): point the client at a socket nobody listens on
      const saved = process.env['DOCKER_HOST']
      process.env['DOCKER_HOST'] = `unix://${join(tmpdir(), `vc-no-docker-${process.pid}.sock`)}`
      const cleanup = new CleanupRegistry()
      try {
        const t0 = performance.now()
        await expect(dockerDriver.open(tierContext(tmpdir(), cleanup, { startTimeoutMs: 30_000 }))).rejects.toThrow(
          /docker does not work here: .*(Cannot connect|connect)/,
        )
        expect(performance.now() - t0).toBeLessThan(15_000)
      } finally {
        if (saved === undefined) delete process.env['DOCKER_HOST']
        else process.env['DOCKER_HOST'] = saved
        await cleanup.runAll()
      }
    },
    30_000,
  )
})
