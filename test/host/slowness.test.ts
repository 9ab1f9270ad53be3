import { describe, expect, it } from 'vitest'
import { scaledTimeoutMs, scaleFromEnv, slownessFactor, timeoutScale } from '../../src/host/slowness.js'

describe('VIRTCHECK_SLOWNESS', () => {
  it('a declared factor in [1, 1000] scales timeouts; a bad one is a usage error, and the bench warning ignores it', () => {
    expect(slownessFactor({})).toBe(1)
    expect(slownessFactor({ VIRTCHECK_SLOWNESS: '10' })).toBe(10)
    expect(slownessFactor({ VIRTCHECK_SLOWNESS: '2.5' })).toBe(2.5)
    for (const bad of [' ', '0', '0.5', '1001', 'ten', 'NaN', '-3']) {
      expect(slownessFactor({ VIRTCHECK_SLOWNESS: bad })).toBe(1)
      expect(scaleFromEnv({ VIRTCHECK_SLOWNESS: bad })).toMatch(/VIRTCHECK_SLOWNESS must be a number from 1 to 1000/)
    }
    expect(scaleFromEnv({ VIRTCHECK_SLOWNESS: '' })).toBeUndefined()
    expect(scaledTimeoutMs(10_000, { VIRTCHECK_SLOWNESS: '10' })).toBe(100_000)
    expect(scaledTimeoutMs(333, { VIRTCHECK_SLOWNESS: '1.5' })).toBe(500)
  })

  it('without a declaration, the factor is calibrated from how long Node took to start (capped)', () => {
    expect(timeoutScale({}, 50)).toBe(1)
    expect(timeoutScale({}, 2_000)).toBe(20)
    expect(timeoutScale({}, 60_000)).toBe(50)
    expect(timeoutScale({ VIRTCHECK_SLOWNESS: '7' }, 60_000)).toBe(7)
  })
})
