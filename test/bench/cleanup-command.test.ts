import { execa } from 'execa'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ownerPid } from '../../src/bench/debris.js'
import { assertRealAvailable, skipReal } from './need.js'

const cli = (args: string[], env: Record<string, string>) =>
  execa('npx', ['tsx', 'src/cli/entry.ts', ...args], { reject: false, env: { ...env, NO_COLOR: '1' }, timeout: 60_000 })

describe('debris names', () => {
  it('extracts the owner pid', () => {
    expect(ownerPid('virtcheck-1234-ctr0')).toBe(1234)
    expect(ownerPid('lxc.payload.virtcheck-77-lxc0')).toBe(77)
    expect(ownerPid('virtcheck-kernel-x')).toBeUndefined()
  })
})

describe.skipIf(skipReal)('virtcheck cleanup (planted debris)', () => {
  it('has every component it needs', () => assertRealAvailable())

  it('removes a dead run’s netns, cgroup, marked process and work dir, and leaves a live run’s alone', async () => {
    const exited = execa('true')
    const dead = exited.pid! // a pid that just exited: a "crashed run"
    await exited
    const home = await mkdtemp(join(tmpdir(), 'vc-cleanup-'))
    const ns = `virtcheck-${dead}-0`
    const liveNs = `virtcheck-${process.pid}-9`
    const cg = `/sys/fs/cgroup/pids/virtcheck-${dead}-ctr0`
    const proc = execa('bash', ['-c', `exec -a virtcheck-${dead}-qemu sleep 300`], { reject: false })
    try {
      await execa('ip', ['netns', 'add', ns])
      await execa('ip', ['netns', 'add', liveNs])
      await mkdir(cg)
      const work = join(home, 'runs', 't', `work-${dead}`)
      await mkdir(work, { recursive: true })
      await mkdir(join(home, 'scratch'), { recursive: true })
      await writeFile(join(home, 'scratch', 'vc-container-io-seq.dat'), 'x')
      await new Promise((r) => setTimeout(r, 200))

      const dry = await cli(['cleanup', '--dry-run'], { VIRTCHECK_HOME: home })
      expect(dry.exitCode).toBe(0)
      expect(dry.stdout).toContain(`would remove netns: network namespace ${ns}`)
      expect(existsSync(cg)).toBe(true)

      const r = await cli(['cleanup'], { VIRTCHECK_HOME: home })
      expect(r.exitCode, r.stdout + r.stderr).toBe(0)
      expect(r.stdout).toContain(`removed netns: network namespace ${ns}`)
      expect(r.stdout).toContain(`removed cgroup: ${cg}`)
      expect(r.stdout).toContain(`removed process: pid ${proc.pid}`)
      expect(r.stdout).not.toContain(liveNs)
      const list = (await execa('ip', ['netns', 'list'])).stdout
      expect(list).not.toContain(ns)
      expect(list).toContain(liveNs) // a live owner's namespace is not touched
      expect(existsSync(cg)).toBe(false)
      expect(existsSync(work)).toBe(false)
      expect(existsSync(join(home, 'scratch', 'vc-container-io-seq.dat'))).toBe(false)
      const res = await proc
      expect(res.signal).toBe('SIGKILL')
    } finally {
      proc.kill('SIGKILL')
      await execa('ip', ['netns', 'del', ns], { reject: false })
      await execa('ip', ['netns', 'del', liveNs], { reject: false })
      await execa('rmdir', [cg], { reject: false })
      await rm(home, { recursive: true, force: true })
    }
  }, 90_000)
})
