import { describe, expect, it } from 'vitest'
import {
  closeness,
  formatBytes,
  formatMs,
  formatQuantity,
  formatRatio,
  goodness,
  sig3,
  sig3Compact,
  sig3Plain,
  sig3Precision,
} from '../../reports/format/numbers.js'

describe('unit formatting', () => {
  it.each([
    [22780, 'MB/s', '22.8 GB/s'],
    [648, 'ns', '648 ns'],
    [1707, 'ns', '1.71 µs'],
    [0.552, 's', '552 ms'],
    [96, 'us', '96.0 µs'],
    [1.82e9, 'op/s', '1.82 Gop/s'],
    [5105, 'op/s', '5105 op/s'],
    [38000, 'Mbit/s', '38.0 Gbit/s'],
    [512, 'MiB', '512 MiB'],
    [3, 'widgets', '3.00 widgets'],
    [0, 'ns', '0 ns'],
  ])('%s %s → %s', (v, unit, expected) => expect(formatQuantity(v, unit)).toBe(expected))

  it('formats ratios, bytes and durations', () => {
    expect([0.97, 12.34, 0.068, 1].map(formatRatio)).toEqual(['0.97×', '12.3×', '0.068×', '1.00×'])
    expect(formatBytes(281 * 1024 ** 2)).toBe('281 MiB')
    expect(formatMs(2140)).toBe('2.14 s')
    expect(formatMs(4.1)).toBe('4.10 ms')
  })

  it('adjusts direction: twice the latency is half as good', () => {
    expect(goodness(2, 'lower')).toBe(0.5)
    expect(closeness(2, 'lower')).toBe('far')
    expect(closeness(0.97, 'higher')).toBe('same')
    expect(closeness(1.2, 'higher')).toBe('better')
    expect(closeness(0.05, 'higher')).toBe('very-far')
  })
})

describe('the four three-significant-digit variants print differently on purpose', () => {
  it('1.2, 2.5e7, 1234.5 and 0.0001234 in each', () => {
    const row = (f: (x: number) => string) => [1.2, 2.5e7, 1234.5, 0.0001234].map(f)
    expect(row(sig3)).toEqual(['1.20', '25000000', '1235', '0.000123'])
    expect(row(sig3Compact)).toEqual(['1.2', '2.50e+7', '1235', '1.23e-4'])
    expect(row(sig3Plain)).toEqual(['1.2', '25000000', '1235', '0.000123'])
    expect(row(sig3Precision)).toEqual(['1.20', '25000000', '1235', '0.000123'])
  })
})
