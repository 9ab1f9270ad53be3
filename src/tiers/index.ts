/**
 * The tier driver catalog: each tier's driver, loaded from its definition (src/tiers/definitions.ts)
 * once, where drivers are needed (bench, ab, probe --deep). A tier without a driver is reported as
 * skipped ("no driver in this build").
 */
import { TIER_IDS, type TierDriver, type TierId } from '../core/tier.js'
import { TIER_DEFINITIONS } from './definitions.js'

export type DriverLookup = (id: TierId) => TierDriver | undefined

export const loadTierDrivers = async (): Promise<DriverLookup> => {
  const drivers = new Map(await Promise.all(TIER_IDS.map(async (id) => [id, await TIER_DEFINITIONS[id].loadDriver()] as const)))
  return (id) => drivers.get(id)
}
