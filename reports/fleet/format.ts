/** Shared wording for the fleet renderers: cost figures, their colour class, tier cells. */
import type { FleetHost, TierCapability } from '../../src/fleet/fleet-model.js'

/** `×1.23` slowdown versus native (1 = native speed). */
export const fmtCost = (v: number | undefined): string => (v === undefined ? '—' : `×${v >= 10 ? v.toFixed(1) : v.toFixed(2)}`)

/** Same colour scale as the single-host matrix (reports/html). */
export const costClass = (v: number): string =>
  v < 0.95 ? 'c-better' : v <= 1.1 ? 'c-same' : v <= 1.5 ? 'c-near' : v <= 3 ? 'c-far' : 'c-very-far'

/** Short text for a tier cell: ready, or the first finding that blocks it. */
export const capShort = (c: TierCapability | undefined): string =>
  c === undefined
    ? '—'
    : c.ready
      ? c.ran && c.ran !== 'completed'
        ? `ready (${c.ran})`
        : 'ready'
      : `no: ${c.blockedBy[0] ?? (c.reason.length > 28 ? c.reason.slice(0, 27) + '…' : c.reason)}`

export const readyCount = (h: FleetHost): number => Object.values(h.capabilities).filter((c) => c?.ready).length
