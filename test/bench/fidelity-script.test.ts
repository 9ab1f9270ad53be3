// benchmarks/fidelity.mjs on hand-made runs: a ratio outside its band fails only when the run's own
// 95% interval lies outside the band too; one whose interval reaches into the band is 'outside, noise'.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const SCRIPT = path.resolve(__dirname, '../../benchmarks/fidelity.mjs')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-fidelity-test-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const cell = (tier: string, samples: number[], ratio?: { value: number; ci95: [number, number] }) => ({
  tier,
  job: 'cpu.int',
  metric: 'ops',
  unit: 'ops/s',
  better: 'higher',
  state: 'ok',
  samples,
  ...(ratio ? { ratioToNative: ratio } : {}),
})

/** The script's verdict on a run made of these tiers and results. */
const judge = (tiers: readonly object[], results: readonly object[]) => {
  const file = path.join(dir, `run-${Math.random().toString(36).slice(2)}.json`)
  const noExplanations = path.join(dir, 'none.json')
  fs.writeFileSync(noExplanations, '[]')
  fs.writeFileSync(
    file,
    JSON.stringify({
      schema: 'virtcheck-run',
      startedAt: '2026-12-04T00:00:00Z',
      host: { hostname: 'test' },
      reproduce: { settings: { mode: 'quick' } },
      tiers,
      results,
    }),
  )
  const r = spawnSync(process.execPath, [SCRIPT, '--run', file, '--explanations', noExplanations], { encoding: 'utf8' })
  return { status: r.status, out: r.stdout + r.stderr }
}

const check = (ratio: { value: number; ci95: [number, number] } | undefined, containerSamples = [110, 110, 110]) =>
  judge(
    [
      { tier: 'native', state: 'completed' },
      { tier: 'container', state: 'completed', interleavedWith: ['native'] },
    ],
    [cell('native', [100, 100, 100]), cell('container', containerSamples, ratio)],
  )

/** tcg-virtio and tcg-emulated net.rr, with or without having taken turns. */
const guests = (virtio: number[], emulated: number[], together: boolean) => {
  const rr = (tier: string, samples: number[]) => ({ ...cell(tier, samples), job: 'net.rr', metric: 'tps' })
  const pair = together ? { interleavedWith: ['tcg-virtio', 'tcg-emulated'] } : {}
  return judge(
    [
      { tier: 'tcg-virtio', state: 'completed', ...pair },
      { tier: 'tcg-emulated', state: 'completed', ...pair },
    ],
    [rr('tcg-virtio', virtio), rr('tcg-emulated', emulated)],
  )
}

describe('benchmarks/fidelity.mjs', () => {
  it('fails on a ratio outside its band whose interval is outside too', () => {
    const r = check({ value: 1.1, ci95: [1.06, 1.14] })
    expect(r.out).toMatch(/OUTSIDE\s+container cpu.int ops\s+1.100\s+\[0.97, 1.03\]\s+95% 1.06–1.14/)
    expect(r.out).toContain('FAIL: 1 of 1 ratio(s) outside their band beyond')
    expect(r.status).toBe(1)
  })

  it('counts a ratio outside whose interval reaches into the band as noise and does not fail on it', () => {
    const r = check({ value: 1.1, ci95: [0.99, 1.2] })
    expect(r.out).toMatch(/outside, noise\s+container cpu.int ops\s+1.100/)
    expect(r.out).toContain('(1 outside within noise)')
    expect(r.status).toBe(0)
  })

  it("takes the run's own ratio (the median of pair ratios) over the ratio of the medians", () => {
    expect(check({ value: 1.0, ci95: [0.98, 1.02] }).status).toBe(0)
    expect(check({ value: 1.0, ci95: [0.98, 1.02] }).out).toMatch(/ok\s+container cpu.int ops\s+1.000/)
  })

  it('holds a ratio without an interval to its point estimate', () => {
    expect(check(undefined).status).toBe(1)
    expect(check(undefined, [100, 101, 99]).status).toBe(0)
  })

  it('fails on virtio behind emulated devices, and says whether the two guests took turns', () => {
    const inverted = guests([1500, 1550, 1600], [5600, 5700, 5650], true)
    expect(inverted.out).toMatch(
      /OUTSIDE\s+tcg-virtio ≥ tcg-emulated net.rr tps\s+0.27\d\s+≥ 0.97 \(tcg-virtio at least as fast; interleaved, pair ratios {2}95% 0.2/,
    )
    expect(inverted.status).toBe(1)
    // interleaved, the order is judged on the pair ratios: behind by a median of 4%, but pairs on both sides
    const tie = guests([900, 1100, 940, 950, 1050, 960], [1000, 1000, 1000, 1000, 1000, 1000], true)
    expect(tie.out).toMatch(/outside, noise\s+tcg-virtio ≥ tcg-emulated net.rr tps\s+0.955/)
    expect(tie.status).toBe(0)
    const apart = guests([4000, 4100, 4200], [3000, 3100, 3200], false)
    expect(apart.out).toMatch(/ok\s+tcg-virtio ≥ tcg-emulated net.rr tps\s+1.323\s+≥ 0.97 \(tcg-virtio at least as fast; measured apart\)/)
    expect(apart.status).toBe(0)
  })
})
