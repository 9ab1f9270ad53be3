import { describe, expect, it } from 'vitest'
import { scaledTimeoutMs, slownessFactor } from '../../src/host/slowness.js'

describe('VIRTCHECK_SLOWNESS', () => {
  it('scales timeouts by a factor in [1, 100], and ignores anything else', () => {
    expect(slownessFactor({})).toBe(1)
    expect(slownessFactor({ VIRTCHECK_SLOWNESS: '10' })).toBe(10)
    expect(slownessFactor({ VIRTCHECK_SLOWNESS: '2.5' })).toBe(2.5)
    for (const bad of ['', ' ', '0', '0.5', '101', 'ten', 'NaN', '-3']) expect(slownessFactor({ VIRTCHECK_SLOWNESS: bad })).toBe(1)
    expect(scaledTimeoutMs(10_000, { VIRTCHECK_SLOWNESS: '10' })).toBe(100_000)
    expect(scaledTimeoutMs(333, { VIRTCHECK_SLOWNESS: '1.5' })).toBe(500)
  })
})
