/**
 * A synthetic fleet for tests and benchmarks/fleet-render.ts: N hosts made from the two frozen report
 * fixtures, with seeded variation (hostnames, four CPU models, three kernels, ±5 % medians, a few
 * tiers turned not-ready, a few hosts 2× slower on one tier) plus failure records. Labelled synthetic:
 * it exercises the renderers at scale, it is not a measurement.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { MetricResult, RunReport } from '../../../src/core/report.js'
import type { TierReadiness } from '../../../src/core/tier.js'
import { mulberry32 } from '../../../src/stats/prng.js'
import type { FleetFailure } from '../../../src/fleet/fleet-model.js'
import { parseRunReportText } from '../../../src/io/read-report.js'

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'reports')
const load = (n: string): RunReport => parseRunReportText(readFileSync(join(FIXTURES, n), 'utf8'), n)

export const CPU_MODELS = [
  'AMD EPYC 7763 64-Core Processor',
  'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
  'AMD EPYC 9654 96-Core Processor',
  'Ampere Altra Q80-30',
] as const
export const KERNELS = ['6.8.0-52-generic', '6.1.0-28-amd64', '5.15.0-131-generic'] as const

export interface SyntheticFleet {
  readonly reports: { report: RunReport; source: string }[]
  readonly failures: FleetFailure[]
  /** Hosts made 2× slower on kvm-virtio than their twins (expected cost outliers). */
  readonly slowHosts: readonly string[]
  /** Hosts whose kvm-virtio was turned not-ready while their group's is ready. */
  readonly brokenHosts: readonly string[]
}

export const syntheticFleet = (n: number, opts: { failed?: number; seed?: number } = {}): SyntheticFleet => {
  const rng = mulberry32(opts.seed ?? 17)
  const bases = [load('bare-metal-kvm.json'), load('pvm-host.json')]
  const failedN = opts.failed ?? Math.round(n / 50)
  const reports: SyntheticFleet['reports'] = []
  const slowHosts: string[] = []
  const brokenHosts: string[] = []
  for (let i = 0; i < n - failedN; i++) {
    // One base per CPU model, so a group (CPU model, kernel, arch) holds like hosts.
    const base = bases[i % CPU_MODELS.length === 3 ? 1 : 0]!
    const hostname = `node-${String(i).padStart(4, '0')}`
    const cpuModel = CPU_MODELS[i % CPU_MODELS.length]!
    const kernel = KERNELS[Math.floor(i / CPU_MODELS.length) % KERNELS.length]!
    const slow = i % 97 === 13 && base === bases[0]
    const broken = i % 89 === 7 && base === bases[0]
    if (slow) slowHosts.push(hostname)
    if (broken) brokenHosts.push(hostname)
    const results = base.results.map((m): MetricResult => {
      if (m.state !== 'ok') return m
      let f = 0.95 + rng() * 0.1
      if (slow && m.tier === 'kvm-virtio') f = m.better === 'higher' ? f / 2 : f * 2
      const median = m.stats.median * f
      return {
        ...m,
        stats: {
          ...m.stats,
          median,
          mean: m.stats.mean * f,
          min: m.stats.min * f,
          max: m.stats.max * f,
          ci95: [m.stats.ci95[0] * f, m.stats.ci95[1] * f],
        },
      }
    })
    const readiness = base.readiness.map((r): TierReadiness =>
      broken && r.tier === 'kvm-virtio'
        ? {
            tier: r.tier,
            ready: false,
            summary: '/dev/kvm missing: kvm_amd not loaded',
            blockedBy: ['kvm.device'],
            remediation: { summary: 'modprobe kvm_amd' },
          }
        : r,
    )
    reports.push({
      report: {
        ...base,
        host: { ...base.host, hostname, cpuModel, kernel },
        results,
        readiness,
        label: 'SYNTHETIC fleet host (benchmarks/fleet-render.ts), not a measurement',
      },
      source: `results/${hostname}/bench.json`,
    })
  }
  const failures: FleetFailure[] = Array.from({ length: failedN }, (_, k) => ({
    host: `down-${String(k).padStart(3, '0')}`,
    reason:
      k % 2 ? 'unreachable: ssh: connect to host port 22: Connection refused' : 'virtcheck exited 2: error: probe: unknown option --bogus',
    source: `results/down-${k}/failed.json`,
  }))
  return { reports, failures, slowHosts, brokenHosts }
}
