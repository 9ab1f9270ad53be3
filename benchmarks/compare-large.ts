/**
 * Cost of compare on huge cells (issue: 2 M samples in one cell took 31 s and 2.1 GB): the rank test and
 * the Hodges–Lehmann interval on N samples per side, time and heap growth per call. Target: n log n —
 * 10x the samples costs about 10x, not 100x; 2 M per side in seconds, not minutes, under 1 GB.
 *   npx tsx benchmarks/compare-large.ts
 */
import { testCell } from '../src/compare/verdict.js'

let seed = 7
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
for (const n of [20_000, 200_000, 2_000_000]) {
  const base = Array.from({ length: n }, () => 1000 * (1 + 0.01 * (rnd() - 0.5)))
  const head = base.map((x) => x * 1.03)
  const heap0 = process.memoryUsage().rss
  const t0 = performance.now()
  const cell = testCell(base, head, 0.01)
  const ms = performance.now() - t0
  const sh = cell.numbers.shift
  console.log(
    `${String(n).padStart(9)} samples per side: ${ms.toFixed(0).padStart(6)} ms, rss +${((process.memoryUsage().rss - heap0) / 2 ** 20).toFixed(0)} MiB, shift ${sh.estimate.toFixed(4)} [${sh.ci.map((x) => x.toFixed(4)).join(', ')}], p ${cell.numbers.p.toExponential(1)}`,
  )
}
