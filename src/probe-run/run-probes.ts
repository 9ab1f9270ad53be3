/**
 * Run every probe concurrently against one Host. A probe that throws is a virtcheck bug: it becomes an
 * `unknown` finding carrying the error, and the other probes still run (docs/architecture.md, principle 3).
 */
import { AREAS, toSerializedError, type Finding } from '../core/finding.js'
import type { Host } from '../core/host.js'
import { PROBES } from '../../probes/index.js'
import { DEFAULT_PROBE_ENV, type Probe, type ProbeEnv } from '../../probes/types.js'

export const crashedFinding = (probe: Probe, thrown: unknown): Finding => ({
  id: `${probe.id}.probe-crashed`,
  area: probe.area,
  title: `${probe.id}: probe crashed (virtcheck bug)`,
  status: 'unknown',
  summary: `the ${probe.id} probe threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
  evidence: [],
  bug: toSerializedError(thrown),
  remediation: { summary: 'This is a virtcheck bug; please report it with `virtcheck capture -o host.json` attached.' },
})

export const runProbes = async (host: Host, probes: readonly Probe[] = PROBES, env: ProbeEnv = DEFAULT_PROBE_ENV): Promise<Finding[]> => {
  const perProbe = await Promise.all(
    probes.map(async (p) => {
      try {
        return await p.check(host, env)
      } catch (e) {
        return [crashedFinding(p, e)]
      }
    }),
  )
  const all = perProbe.flat()
  // Stable order: by area (display order), then catalog order within an area.
  return all
    .map((f, i) => ({ f, i }))
    .sort((a, b) => AREAS.indexOf(a.f.area) - AREAS.indexOf(b.f.area) || a.i - b.i)
    .map((x) => x.f)
}

/** 0 when nothing is worse than warn; 1 for any fail or probe bug. */
export const probeExitCode = (findings: readonly Finding[]): 0 | 1 =>
  findings.some((f) => f.status === 'fail' || f.bug !== undefined) ? 1 : 0
