/** JSON of a comparison. JSON has no Infinity: an unbounded interval end is written as null. */
import type { CompareReport } from '../../src/compare/types.js'

export const renderCompareJson = (r: CompareReport): string =>
  JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n'
