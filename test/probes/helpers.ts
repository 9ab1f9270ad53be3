import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Finding } from '../../src/core/finding.js'
import { validateSnapshot } from '../../src/host/snapshot.js'
import { SnapshotHost } from '../../src/host/snapshot-host.js'
import { decideReadiness } from '../../src/probe-run/readiness.js'
import { runProbes } from '../../src/probe-run/run-probes.js'
import { PROBES } from '../../probes/index.js'

export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'snapshots')

/** virtcheck's own helpers, as if built (the install state is not part of a fixture). */
export const builtVcwork: Finding = {
  id: 'software.vcwork',
  area: 'software',
  title: 'vcwork',
  status: 'pass',
  summary: 'built',
  evidence: [],
  facts: { x86_64: true, aarch64: true },
}

export const probeFixture = async (name: string) => {
  const snap = validateSnapshot(JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8')), name)
  const host = new SnapshotHost(snap, name)
  const kernelCacheDirs = Object.keys(snap.lists).filter((d) => /\/kernels$/.test(d))
  const findings = [...(await runProbes(host, PROBES, { kernelCacheDirs })), builtVcwork]
  const readiness = decideReadiness(findings, snap.identity.arch)
  const status = (id: string) => findings.find((f) => f.id === id)?.status
  const finding = (id: string) => {
    const f = findings.find((x) => x.id === id)
    if (!f) throw new Error(`no finding ${id}`)
    return f
  }
  const ready = (tier: string) => readiness.find((r) => r.tier === tier)?.ready
  const blockers = (tier: string) => {
    const r = readiness.find((x) => x.tier === tier)
    return r && !r.ready ? r.blockedBy : []
  }
  return { findings, readiness, status, finding, ready, blockers }
}
