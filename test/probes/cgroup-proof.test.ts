/**
 * `probe --deep` cgroup limits, for real: a scratch child cgroup per controller, a limit written and
 * read back, the child removed. Needs root and a cgroup v1 or hybrid host or a v2 host with delegated
 * controllers; under CI=true missing root fails instead of skipping.
 */
import { readdirSync, statfsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { pass } from '../../src/core/finding.js'
import { CleanupRegistry } from '../../src/host/cleanup.js'
import { proveCgroupLimits } from '../../src/host/cgroup-proof.js'
import { applyCgroupProofs } from '../../src/probe-run/deep-cgroups.js'

const isRoot = process.getuid?.() === 0
const skip = !isRoot && process.env['CI'] !== 'true'
const mode = (): string => {
  const root = statfsSync('/sys/fs/cgroup').type
  if (root === 0x63677270) return 'v2'
  try {
    return statfsSync('/sys/fs/cgroup/unified').type === 0x63677270 ? 'hybrid' : 'v1'
  } catch {
    return 'v1'
  }
}

describe('--deep cgroup limit proof (real cgroups)', () => {
  it.skipIf(skip)('writes memory, pids and cpu limits in scratch cgroups and leaves none behind', async () => {
    expect(isRoot, 'CI=true but not root').toBe(true)
    const m = mode()
    const proofs = await proveCgroupLimits(m, m === 'v2' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified', new CleanupRegistry())
    for (const c of ['memory', 'pids', 'cpu']) {
      const p = proofs.find((x) => x.controller === c)
      if (m !== 'v2') expect(p?.ok, p?.line).toBe(true)
      else expect(p?.line).toMatch(new RegExp(`^${c}: `))
    }
    const left = (m === 'v2' ? ['/sys/fs/cgroup'] : ['memory', 'pids', 'cpu'].map((c) => `/sys/fs/cgroup/${c}`)).flatMap((d) =>
      readdirSync(d).filter((e) => e.startsWith('virtcheck-proof-')),
    )
    expect(left).toEqual([])
  })
})

describe('applying the cgroup proofs (pure)', () => {
  const f = pass(
    { id: 'cgroups.controllers', area: 'cgroups', title: 'controllers', facts: { controllers: 'cpu,memory,pids' } },
    'available: cpu memory pids',
    [],
  )
  it('written limits are evidence; a needed one that failed is a warn', () => {
    const ok = applyCgroupProofs(
      [f],
      [
        { controller: 'memory', ok: true, line: 'memory: ok' },
        { controller: 'hugetlb', ok: false, line: 'hugetlb: cannot create' },
      ],
    )[0]
    expect(ok?.status).toBe('pass')
    expect(ok?.summary).toBe('available: cpu memory pids (--deep: memory limits written)')
    const bad = applyCgroupProofs(
      [f],
      [{ controller: 'memory', ok: false, line: 'memory: writing memory.limit_in_bytes failed: EINVAL' }],
    )[0]
    expect(bad?.status).toBe('warn')
    expect(bad?.summary).toMatch(/--deep could not write a memory limit/)
  })
})
