/**
 * The fleet model: many hosts' run reports (and hosts that produced none) as one comparison. Hosts ×
 * capabilities (which tier runs where, and why not), hosts × tier cost per job class, grouping by
 * hardware and kernel, hosts that stand out from their group, a stable host identity and a per-job
 * comparison key (the job, its parameters, the tier's configuration and the workload version; two
 * results compare exactly when their keys match). Pure: files are read in src/fleet/fleet-input.ts.
 */
import { createHash } from 'node:crypto'
import type { MetricResult, RunReport } from '../core/report.js'
import { TIER_IDS, type TierId } from '../core/tier.js'
import { configFingerprint, hostFingerprint, paramsFingerprint } from '../history/fingerprint.js'
import { jobById } from '../../workloads/index.js'
import { geomean, median } from '../stats/descriptive.js'

export const FLEET_SCHEMA = 'virtcheck-fleet'
export const FLEET_SCHEMA_VERSION = '1.0'

/** A host that has no run report: unreachable, virtcheck exited 2, the file is damaged… */
export interface FleetFailure {
  readonly host: string
  readonly reason: string
  readonly source: string
}

export type TierCapability =
  | { readonly ready: true; readonly ran?: string }
  | { readonly ready: false; readonly reason: string; readonly blockedBy: readonly string[] }

export interface FleetHost {
  /** Short hash of hostname, CPU model, kernel and arch (src/history/fingerprint.ts): the same host keeps it across runs. */
  readonly id: string
  readonly name: string
  readonly source: string
  readonly state: 'ok' | 'failed'
  readonly failure?: string
  readonly cpuModel: string
  readonly kernel: string
  readonly arch: string
  readonly distro: string
  readonly virtRole: string
  readonly group: string
  readonly fails: number
  readonly warns: number
  readonly capabilities: Readonly<Partial<Record<TierId, TierCapability>>>
  /** Slowdown versus the same host's native run (1 = native speed, 2 = half as fast), per tier and job class. */
  readonly cost: Readonly<Partial<Record<TierId, Readonly<Record<string, number>>>>>
  /** Comparison key per (tier, job, metric) measured on this host. */
  readonly keys: Readonly<Record<string, string>>
  readonly startedAt?: string
}

export interface FleetGroup {
  readonly key: string
  readonly cpuModel: string
  readonly kernel: string
  readonly arch: string
  readonly hosts: readonly string[]
}

export interface FleetOutlier {
  readonly host: string
  readonly group: string
  readonly kind: 'readiness' | 'cost'
  readonly tier: TierId
  readonly jobClass?: string
  readonly detail: string
}

export interface ComparisonKey {
  readonly key: string
  readonly tier: TierId
  readonly job: string
  readonly metric: string
  readonly hosts: number
}

export interface Fleet {
  readonly schema: typeof FLEET_SCHEMA
  readonly schemaVersion: string
  readonly hosts: readonly FleetHost[]
  readonly groups: readonly FleetGroup[]
  readonly outliers: readonly FleetOutlier[]
  readonly keys: readonly ComparisonKey[]
  readonly tiers: readonly TierId[]
  readonly jobClasses: readonly string[]
}

const hash = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 12)

export const groupKey = (cpuModel: string, kernel: string, arch: string): string => `${cpuModel} | ${kernel} | ${arch}`

/** Hashes computed once per distinct input: a fleet repeats the same few configurations hundreds of times. */
class HashCache {
  private readonly memo = new Map<string, string>()
  get(input: string, compute: () => string): string {
    let v = this.memo.get(input)
    if (v === undefined) this.memo.set(input, (v = compute()))
    return v
  }
}

/** The comparison key of one result: job, metric, parameters, tier and its config identity, workload version. */
export const comparisonKey = (r: RunReport, m: MetricResult): string => comparisonKeys(r, new HashCache()).get(m) ?? ''

const comparisonKeys = (r: RunReport, cache: HashCache): Map<MetricResult, string> => {
  const configFp = new Map(r.tiers.map((t) => [t.tier, cache.get(`c${JSON.stringify(t.config)}`, () => configFingerprint(t.config))]))
  const version = r.reproduce.versions['vcwork'] ?? r.tool.version
  const out = new Map<MetricResult, string>()
  for (const m of r.results) {
    const pf = cache.get(`p${JSON.stringify(m.params)}`, () => paramsFingerprint(m.params))
    const cf = configFp.get(m.tier) ?? '-'
    out.set(
      m,
      cache.get(`k${m.job}\u0000${m.metric}\u0000${pf}\u0000${m.tier}\u0000${cf}\u0000${version}`, () =>
        hash([m.job, m.metric, pf, m.tier, cf, version]),
      ),
    )
  }
  return out
}

export const jobClass = (job: string): string => jobById(job)?.family ?? job.split('.')[0] ?? job

/** Slowdown of each (tier, job class): geometric mean over the metrics, direction-adjusted. */
const costOf = (r: RunReport): Partial<Record<TierId, Record<string, number>>> => {
  const native = new Map<string, number>()
  for (const m of r.results)
    if (m.tier === 'native' && m.state === 'ok' && m.stats.median > 0) native.set(`${m.job}/${m.metric}`, m.stats.median)
  const acc = new Map<TierId, Map<string, number[]>>()
  for (const m of r.results) {
    if (m.tier === 'native' || m.state !== 'ok') continue
    const base = native.get(`${m.job}/${m.metric}`)
    if (base === undefined || !(m.stats.median > 0)) continue
    const slowdown = m.better === 'higher' ? base / m.stats.median : m.stats.median / base
    const byClass = acc.get(m.tier) ?? new Map<string, number[]>()
    const cls = jobClass(m.job)
    const xs = byClass.get(cls)
    if (xs) xs.push(slowdown)
    else byClass.set(cls, [slowdown])
    acc.set(m.tier, byClass)
  }
  const out: Partial<Record<TierId, Record<string, number>>> = {}
  for (const [tier, byClass] of acc) {
    const rec: Record<string, number> = {}
    for (const [cls, xs] of byClass) rec[cls] = geomean(xs)
    rec['all'] = geomean([...byClass.values()].flat())
    out[tier] = rec
  }
  return out
}

const hostFromReport = (
  r: RunReport,
  source: string,
  cache: HashCache,
  tally: Map<string, ComparisonKey & { hosts: number }>,
): FleetHost => {
  const capabilities: Partial<Record<TierId, TierCapability>> = {}
  for (const t of r.readiness) {
    const run = r.tiers.find((x) => x.tier === t.tier)
    capabilities[t.tier] = t.ready
      ? { ready: true, ...(run ? { ran: run.state } : {}) }
      : { ready: false, reason: t.summary, blockedBy: t.blockedBy }
  }
  const keys: Record<string, string> = {}
  for (const [m, key] of comparisonKeys(r, cache)) {
    keys[`${m.tier}/${m.job}/${m.metric}`] = key
    // Counted here, where tier/job/metric are at hand, instead of re-splitting every host's keys later.
    const e = tally.get(key)
    if (e) e.hosts++
    else tally.set(key, { key, tier: m.tier, job: m.job, metric: m.metric, hosts: 1 })
  }
  return {
    id: hostFingerprint(r),
    name: r.host.hostname || 'host',
    source,
    state: 'ok',
    cpuModel: r.host.cpuModel,
    kernel: r.host.kernel,
    arch: r.host.arch,
    distro: r.host.distro,
    virtRole: r.host.virtRole,
    group: groupKey(r.host.cpuModel, r.host.kernel, r.host.arch),
    fails: r.findings.filter((f) => f.status === 'fail').length,
    warns: r.findings.filter((f) => f.status === 'warn').length,
    capabilities,
    cost: costOf(r),
    keys,
    startedAt: r.startedAt,
  }
}

const hostFromFailure = (f: FleetFailure): FleetHost => ({
  id: hash(['failed', f.host]),
  name: f.host,
  source: f.source,
  state: 'failed',
  failure: f.reason,
  cpuModel: 'unknown',
  kernel: 'unknown',
  arch: 'unknown',
  distro: 'unknown',
  virtRole: 'unknown',
  group: 'failed',
  fails: 0,
  warns: 0,
  capabilities: {},
  cost: {},
  keys: {},
})

/** A cost this far from the group median (either way) marks a host as standing out. */
export const COST_OUTLIER_FACTOR = 1.25
/** Outliers are decided only in groups at least this big (a majority needs three). */
export const MIN_GROUP_FOR_OUTLIERS = 3

const outliersOf = (hosts: readonly FleetHost[], groups: readonly FleetGroup[], tiers: readonly TierId[]): FleetOutlier[] => {
  const byName = new Map(hosts.map((h) => [h.name, h]))
  const out: FleetOutlier[] = []
  for (const g of groups) {
    const members = g.hosts.map((n) => byName.get(n)!).filter((h) => h.state === 'ok')
    if (members.length < MIN_GROUP_FOR_OUTLIERS) continue
    for (const tier of tiers) {
      const ready = members.filter((h) => h.capabilities[tier]?.ready === true).length
      const notReady = members.filter((h) => h.capabilities[tier]?.ready === false).length
      const majorityReady = ready > members.length / 2
      const majorityNot = notReady > members.length / 2
      for (const h of members) {
        const c = h.capabilities[tier]
        if (!c) continue
        if (majorityReady && !c.ready)
          out.push({
            host: h.name,
            group: g.key,
            kind: 'readiness',
            tier,
            detail: `not ready (${c.reason}) while ${ready} of ${members.length} in its group are`,
          })
        if (majorityNot && c.ready)
          out.push({
            host: h.name,
            group: g.key,
            kind: 'readiness',
            tier,
            detail: `ready while ${notReady} of ${members.length} in its group are not`,
          })
      }
      const classes = new Set(members.flatMap((h) => Object.keys(h.cost[tier] ?? {})))
      for (const cls of classes) {
        if (cls === 'all') continue
        const vals = members.flatMap((h) => (h.cost[tier]?.[cls] === undefined ? [] : [[h, h.cost[tier]![cls]!] as const]))
        if (vals.length < MIN_GROUP_FOR_OUTLIERS) continue
        const med = median(vals.map(([, v]) => v))
        for (const [h, v] of vals) {
          if (v > med * COST_OUTLIER_FACTOR || v < med / COST_OUTLIER_FACTOR)
            out.push({
              host: h.name,
              group: g.key,
              kind: 'cost',
              tier,
              jobClass: cls,
              detail: `${cls} on ${tier} costs ×${v.toFixed(2)} vs the group median ×${med.toFixed(2)}`,
            })
        }
      }
    }
  }
  return out
}

/** Unique display names: a repeated hostname gets `#2`, `#3` (distinct hosts keep distinct rows). */
const uniqueNames = <T extends { name: string }>(hosts: T[]): T[] => {
  const seen = new Map<string, number>()
  return hosts.map((h) => {
    const n = (seen.get(h.name) ?? 0) + 1
    seen.set(h.name, n)
    return n === 1 ? h : { ...h, name: `${h.name} #${n}` }
  })
}

export const buildFleet = (reports: readonly { report: RunReport; source: string }[], failures: readonly FleetFailure[] = []): Fleet => {
  const cache = new HashCache()
  const keyCount = new Map<string, ComparisonKey & { hosts: number }>()
  const hosts = uniqueNames([
    ...reports.map((r) => hostFromReport(r.report, r.source, cache, keyCount)),
    ...failures.map(hostFromFailure),
  ]).sort((a, b) => (a.state !== b.state ? (a.state === 'failed' ? 1 : -1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const groupMap = new Map<string, FleetGroup & { hosts: string[] }>()
  for (const h of hosts) {
    if (h.state === 'failed') continue
    const g = groupMap.get(h.group) ?? { key: h.group, cpuModel: h.cpuModel, kernel: h.kernel, arch: h.arch, hosts: [] }
    g.hosts.push(h.name)
    groupMap.set(h.group, g)
  }
  const groups = [...groupMap.values()].sort((a, b) => b.hosts.length - a.hosts.length || (a.key < b.key ? -1 : 1))
  const tiers = TIER_IDS.filter((t) => hosts.some((h) => h.capabilities[t] !== undefined || h.cost[t] !== undefined))
  const jobClasses = [...new Set(hosts.flatMap((h) => Object.values(h.cost).flatMap((c) => Object.keys(c ?? {}))))]
    .filter((c) => c !== 'all')
    .sort()
  return {
    schema: FLEET_SCHEMA,
    schemaVersion: FLEET_SCHEMA_VERSION,
    hosts,
    groups,
    outliers: outliersOf(hosts, groups, tiers),
    keys: [...keyCount.values()].sort((a, b) => (a.job + a.metric + a.tier < b.job + b.metric + b.tier ? -1 : 1)),
    tiers,
    jobClasses,
  }
}
