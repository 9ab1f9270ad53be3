/**
 * Check every `--tier-opt` before anything runs, with the same parsers the drivers use (each tier
 * definition's checkOptions), so a typo is a one-line usage error (exit 2) and not a tier that fails
 * twenty minutes into a run. The parsers' messages do not know the command; the error names the one
 * the user ran (`bench:`, `gate:`, `ab:`).
 */
import { UsageError } from '../core/errors.js'
import { isTierId, type TierId } from '../core/tier.js'
import { TIER_DEFINITIONS } from '../tiers/definitions.js'

export const validateTierOptions = (all: Partial<Record<TierId, Readonly<Record<string, string>>>>, command: string): void => {
  try {
    for (const [tier, options] of Object.entries(all))
      if (isTierId(tier)) TIER_DEFINITIONS[tier].checkOptions(options, process.getuid?.() === 0)
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${command}: ${e.message}`, e.hint)
    throw e
  }
}
