/** Every tier has one definition, under its own id, and its driver is the one for that id. */
import { describe, expect, it } from 'vitest'
import { TIER_IDS } from '../../src/core/tier.js'
import { TIER_DEFINITIONS } from '../../src/tiers/definitions.js'
import { loadTierDrivers } from '../../src/tiers/index.js'

describe('tier definitions', () => {
  it('one per tier id, each with its own id in info', () => {
    expect(Object.keys(TIER_DEFINITIONS).sort()).toEqual([...TIER_IDS].sort())
    for (const [id, def] of Object.entries(TIER_DEFINITIONS)) expect(def.info.id).toBe(id)
  })

  it('each definition loads the driver of its own tier', async () => {
    const drivers = await loadTierDrivers()
    for (const id of TIER_IDS) expect(drivers(id)?.id).toBe(id)
    for (const [id, def] of Object.entries(TIER_DEFINITIONS)) expect((await def.loadDriver()).id).toBe(id)
  })
})
