import { describe, expect, it } from 'vitest'
import type { Host } from '../../src/core/host.js'
import { SnapshotHost } from '../../src/host/snapshot-host.js'
import { emptyTables, SNAPSHOT_FORMAT } from '../../src/host/snapshot.js'
import { probeExitCode, runProbes } from '../../src/probe-run/run-probes.js'
import type { Probe } from '../../probes/types.js'
import { decideReadiness } from '../../src/probe-run/readiness.js'
import { PROBES } from '../../probes/index.js'
import { pass } from '../../src/core/finding.js'

const emptyHost = (unrecorded: 'missing' | 'error', uid = 1000): Host =>
  new SnapshotHost({
    format: SNAPSHOT_FORMAT,
    version: '1.0',
    capturedAt: '',
    tool: { name: 'virtcheck', version: '0' },
    identity: { uid, gid: uid, groups: [], arch: 'x86_64', kernelRelease: '6.1.0', hostname: 'h' },
    unrecorded,
    ...emptyTables(),
  })

describe('runProbes', () => {
  it('turns a throwing probe into an unknown finding marked as a bug, and still runs the others', async () => {
    const boom: Probe = {
      id: 'boom',
      area: 'internal',
      reads: [],
      check: async () => {
        throw new TypeError('x is undefined')
      },
    }
    const fine: Probe = {
      id: 'fine',
      area: 'cpu',
      reads: [],
      check: async () => [pass({ id: 'fine.ok', area: 'cpu', title: 'ok' }, 'fine')],
    }
    const f = await runProbes(emptyHost('missing'), [boom, fine])
    const bug = f.find((x) => x.id === 'boom.probe-crashed')
    expect(bug?.status).toBe('unknown')
    expect(bug?.title).toMatch(/probe crashed \(virtcheck bug\)/)
    expect(bug?.bug?.message).toBe('x is undefined')
    expect(f.find((x) => x.id === 'fine.ok')?.status).toBe('pass')
    expect(probeExitCode(f)).toBe(1)
  })

  it('an unreadable machine (nothing recorded) gives unknowns, never a false fail, and no crashes', async () => {
    const f = await runProbes(emptyHost('error'))
    expect(f.filter((x) => x.bug)).toEqual([])
    expect(f.find((x) => x.id === 'cpu.virt-extensions')?.status).toBe('unknown')
    expect(f.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual([])
  })

  it('every probe returns findings whose ids start with a known area and are unique', async () => {
    const f = await runProbes(emptyHost('missing'))
    const ids = f.map((x) => x.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const x of f) if (x.status === 'warn' || x.status === 'fail') expect(x.remediation.summary.length).toBeGreaterThan(10)
    expect(PROBES.length).toBeGreaterThanOrEqual(13)
  })

  it('readiness lists every tier and names blockers for each not-ready one', async () => {
    const r = decideReadiness(await runProbes(emptyHost('missing')))
    expect(r).toHaveLength(10)
    for (const t of r) if (!t.ready) expect(t.blockedBy.length).toBeGreaterThan(0)
  })
})
