/** Stable short hashes of what makes two runs comparable: the host identity and each tier's config. */
import { createHash } from 'node:crypto'
import type { RunReport } from '../core/report.js'
import type { TierConfig } from '../core/tier.js'
import { configIdentity } from '../compare/config-identity.js'

const hash = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12)

const sortedEntries = (rec: Readonly<Record<string, unknown>>): [string, unknown][] =>
  Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

export const hostFingerprint = (r: RunReport): string => hash([r.host.hostname, r.host.cpuModel, r.host.kernel, r.host.arch])

/** Over the config's identity only: two runs of one configuration share it (paths, pids and addresses masked). */
export const configFingerprint = (c: TierConfig): string => hash(sortedEntries(configIdentity(c)))

export const paramsFingerprint = (p: Readonly<Record<string, string | number>>): string => hash(sortedEntries(p))

export const tierFingerprints = (r: RunReport): Record<string, string> =>
  Object.fromEntries(r.tiers.map((t) => [t.tier, configFingerprint(t.config)]))
