import { describe, expect, it } from 'vitest'
import {
  alongsideSeats,
  consecutiveGroups,
  GUEST_OVERHEAD_MIB,
  guestFootprintMib,
  planInterleave,
} from '../../src/bench/interleave-groups.js'
import { planBench, withAlongsideSeats } from '../../src/bench/plan.js'
import type { TierId } from '../../src/core/tier.js'

const ALL: TierId[] = ['native', 'container', 'podman', 'kvm-virtio', 'kvm-emulated', 'tcg-virtio', 'tcg-emulated', 'emu-aarch64']

describe('planInterleave', () => {
  it("native and the containers form one group, each accelerator's two guests another, emu-aarch64 runs alone", () => {
    const p = planInterleave(ALL, {}, 16_384)
    expect(ALL.map((t) => p.groupOf(t))).toEqual([
      'host',
      'host',
      'host',
      'kvm-guests',
      'kvm-guests',
      'tcg-guests',
      'tcg-guests',
      undefined,
    ])
    expect(p.warnings).toEqual([])
  })

  it('guests that would not fit in memory together run one after the other, and the run says why', () => {
    // two 1024 MiB guests need 2 x (1024 + overhead)
    const need = 2 * (1024 + GUEST_OVERHEAD_MIB)
    const p = planInterleave(['native', 'tcg-virtio', 'tcg-emulated'], {}, need - 1)
    expect(p.groupOf('tcg-virtio')).toBeUndefined()
    expect(p.groupOf('native')).toBe('host')
    expect(p.warnings).toHaveLength(1)
    expect(p.warnings[0]).toMatchObject({ code: 'guests-not-interleaved' })
    expect(p.warnings[0]!.message).toContain(`${need} MiB`)
    expect(planInterleave(['tcg-virtio', 'tcg-emulated'], {}, need).groupOf('tcg-virtio')).toBe('tcg-guests')
  })

  it("counts each guest's own memory-mib, and holds guests apart when the available memory is unknown", () => {
    expect(guestFootprintMib('tcg-virtio', { 'memory-mib': '4096' })).toBe(4096 + GUEST_OVERHEAD_MIB)
    expect(guestFootprintMib('native', undefined)).toBeUndefined()
    const big = planInterleave(['tcg-virtio', 'tcg-emulated'], { 'tcg-virtio': { 'memory-mib': '8192' } }, 9000)
    expect(big.groupOf('tcg-emulated')).toBeUndefined()
    expect(big.warnings[0]!.message).toContain(`${8192 + 1024 + 2 * GUEST_OVERHEAD_MIB} MiB`)
    const unknown = planInterleave(['kvm-virtio', 'kvm-emulated'], {}, undefined)
    expect(unknown.groupOf('kvm-virtio')).toBeUndefined()
    expect(unknown.warnings[0]!.message).toContain('unknown')
  })

  it('a lone guest of a group needs no memory check and gets no warning', () => {
    const p = planInterleave(['native', 'tcg-virtio'], {}, 100)
    expect(p.groupOf('tcg-virtio')).toBe('tcg-guests')
    expect(p.warnings).toEqual([])
  })
})

describe('consecutiveGroups', () => {
  const key = (t: string): string | undefined =>
    (({ n: 'host', c: 'host', d: 'host', v: 'guests', e: 'guests' }) as Record<string, string>)[t]

  it('joins consecutive items of one key; an item without a key stands alone and ends the group before it', () => {
    expect(consecutiveGroups(['n', 'c', 'v', 'e', 'a', 'c'], key)).toEqual([['n', 'c'], ['v', 'e'], ['a'], ['c']])
    expect(consecutiveGroups(['n', 'a', 'c'], key)).toEqual([['n'], ['a'], ['c']])
    expect(consecutiveGroups([], key)).toEqual([])
  })

  it('an item that does not run stands alone without splitting the group around it', () => {
    const runs = (t: string) => t !== 'd'
    expect(consecutiveGroups(['n', 'd', 'c', 'v'], key, runs)).toEqual([['n', 'c'], ['d'], ['v']])
  })
})

describe('native alongside: seats and budget', () => {
  const groupOf = planInterleave(ALL, {}, 16_384).groupOf

  it('counts the groups that lack native while native runs: the guests of each accelerator, and emu-aarch64', () => {
    expect(alongsideSeats(ALL, groupOf)).toBe(3)
    expect(alongsideSeats(['native', 'container'], groupOf)).toBe(0)
    expect(alongsideSeats(['tcg-virtio', 'tcg-emulated', 'emu-aarch64'], groupOf)).toBe(0)
    // guests that could not be held open together run one by one: each gets its own native
    expect(alongsideSeats(['native', 'tcg-virtio', 'tcg-emulated'], () => undefined)).toBe(2)
  })

  it('the default run budget grows by the seats, as if each were one more tier; a budget the user gave stays', () => {
    const ready = (['native', 'tcg-virtio', 'tcg-emulated'] as const).map((tier) => ({ tier, ready: true as const, summary: 'ok' }))
    const catalog = [{ id: 'cpu.int', metrics: [], quickParams: {}, fullParams: {}, needs: [] }]
    const plan = planBench({ readiness: ready, catalog, mode: 'quick', hasDriver: () => true })
    expect(withAlongsideSeats(plan, 1, false).policy.runBudgetMs).toBe((plan.policy.runBudgetMs * 4) / 3)
    expect(withAlongsideSeats(plan, 1, false).policy.jobBudgetMs).toBe(plan.policy.jobBudgetMs)
    expect(withAlongsideSeats(plan, 1, true)).toBe(plan)
    expect(withAlongsideSeats(plan, 0, false)).toBe(plan)
  })
})
