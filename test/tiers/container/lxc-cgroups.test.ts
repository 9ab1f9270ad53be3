/**
 * lxc names its cgroups after the container (lxc.payload.<name>, lxc.monitor.<name>) in every
 * hierarchy. When lxc-execute is killed under a live run they stay (20 on a v1 host with 10
 * hierarchies, the container's init still inside); the tier's clean-up must remove them.
 */
import { execa } from 'execa'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CleanupRegistry } from '../../../src/host/cleanup.js'
import { readCgroupLayout } from '../../../src/tiers/container/cgroups.js'
import { lxcDriver } from '../../../src/tiers/container/lxc.js'
import { tierContext } from '../open-context.js'
import { needFor } from './oom-runtime-scenario.js'

const need = needFor(['lxc-execute', 'lxc-info'])
const ours = new RegExp(`^lxc\\.(payload|monitor)\\.virtcheck-${process.pid}-lxc`)

const ourCgroups = async (): Promise<string[]> => {
  const layout = await readCgroupLayout()
  const roots = [...new Set([...(layout.v1Mounts ?? Object.values(layout.v1)), ...(layout.v2Mount ? [layout.v2Mount] : [])])]
  const out: string[] = []
  for (const r of roots) for (const n of await readdir(r).catch(() => [] as string[])) if (ours.test(n)) out.push(join(r, n))
  return out
}

const lxcExecutePids = async (): Promise<number[]> => {
  const pids: number[] = []
  for (const p of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const argv = (await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')).split('\0')
    if (argv[0]?.endsWith('lxc-execute') && argv.some((a) => a.startsWith(`virtcheck-${process.pid}-lxc`))) pids.push(Number(p))
  }
  return pids
}

describe.skipIf(need.skip)('lxc tier: its cgroups after lxc-execute is killed', () => {
  it('has every component it needs', () => expect(need.missing).toEqual([]))

  it('the clean-up removes lxc.payload/lxc.monitor of its containers, with what was left inside', async () => {
    const work = await mkdtemp(join(tmpdir(), 'vc-lxc-cg-test-'))
    const cleanup = new CleanupRegistry()
    try {
      const s = await lxcDriver.open(tierContext(work, cleanup, { startTimeoutMs: 30_000 }))
      expect(await ourCgroups()).not.toEqual([])
      const pids = await lxcExecutePids()
      expect(pids).toHaveLength(1)
      await execa('kill', ['-KILL', String(pids[0])])
      await new Promise((r) => setTimeout(r, 500))
      await s.close()
      const report = await cleanup.runAll()
      expect(report.failed).toEqual([])
      expect(await ourCgroups()).toEqual([])
    } finally {
      await cleanup.runAll()
      await rm(work, { recursive: true, force: true })
    }
  }, 60_000)
})
