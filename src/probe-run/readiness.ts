/**
 * Tier readiness: a pure decision from findings, made by each tier's definition
 * (src/tiers/<family>/definition.ts, shared needs in src/tiers/readiness-kit.ts), in TIER_IDS order.
 */
import type { Finding } from '../core/finding.js'
import { TIER_IDS, type TierReadiness } from '../core/tier.js'
import { TIER_DEFINITIONS } from '../tiers/definitions.js'
import { readinessInputs } from '../tiers/readiness-kit.js'

export const decideReadiness = (findings: readonly Finding[], hostArch = 'x86_64'): TierReadiness[] => {
  const inputs = readinessInputs(findings, hostArch)
  return TIER_IDS.map((id) => TIER_DEFINITIONS[id].readiness(inputs))
}
