/**
 * Multiple-comparison adjustments across the cells of one comparison. Off by default (see
 * docs/compare.md): with 5-10 samples per side the smallest reachable p is ~0.008, so a family-wise
 * correction over dozens of cells would make any regression undetectable; the relative-change
 * threshold is the main guard against noise. Holm controls the family-wise error rate,
 * Benjamini–Hochberg the false discovery rate.
 */
export const CORRECTIONS = ['none', 'holm', 'bh'] as const
export type Correction = (typeof CORRECTIONS)[number]

export const adjustPValues = (ps: readonly number[], method: Correction): number[] => {
  const m = ps.length
  if (method === 'none' || m === 0) return [...ps]
  const idx = ps.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p)
  const out = new Array<number>(m).fill(1)
  if (method === 'holm') {
    let running = 0
    idx.forEach(({ p, i }, rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * p))
      out[i] = running
    })
    return out
  }
  let running = 1
  for (let rank = m - 1; rank >= 0; rank--) {
    const { p, i } = idx[rank] as { p: number; i: number }
    running = Math.min(running, Math.min(1, (p * m) / (rank + 1)))
    out[i] = running
  }
  return out
}
