/**
 * Checking `--tier-opt TIER.KEY=VALUE` options against what a driver understands: unknown keys and
 * bad values are usage errors naming the option (one line, exit 2).
 */
import { UsageError } from '../core/errors.js'
import type { TierId } from '../core/tier.js'

export const checkOptionKeys = (tier: TierId, options: Readonly<Record<string, string>> | undefined, known: readonly string[]): void => {
  for (const key of Object.keys(options ?? {})) {
    if (!known.includes(key))
      throw new UsageError(
        `unknown --tier-opt ${tier}.${key}`,
        known.length ? `${tier} options: ${known.join(', ')}` : `${tier} takes no options`,
      )
  }
}

export const numberOption = (
  tier: TierId,
  options: Readonly<Record<string, string>> | undefined,
  key: string,
  bounds: { min: number; max: number },
): number | undefined => {
  const raw = options?.[key]
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(n) || n < bounds.min || n > bounds.max)
    throw new UsageError(`--tier-opt ${tier}.${key} must be a number from ${bounds.min} to ${bounds.max}, got ${JSON.stringify(raw)}`)
  return n
}
