/** JSON of a comparison. JSON has no Infinity: an unbounded interval end is written as null. */
import type { CompareReport } from '../../src/compare/types.js'
import { jsonText } from '../format/json-text.js'

export const renderCompareJson = (r: CompareReport): string =>
  jsonText(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
