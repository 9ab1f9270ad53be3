/**
 * Run-to-run noise: how far the medians of separate runs of one configuration scatter. A rank test on
 * one run's repetitions cannot see it (the repetitions of a run share its host state: another tenant's
 * disk traffic, the page cache, CPU frequency), so two single runs can differ "significantly" with
 * nothing changed. Measured on the development host: io.fsync medians of 127 µs in some runs and
 * 186 µs in others, each run tight within itself (docs/compare.md). The band below is learned from
 * earlier runs; `compare` with a multi-run baseline and `history report` both judge against it.
 * Pure.
 */
import { median, scaledMad } from '../stats/descriptive.js'

export interface NoiseBandSettings {
  /** Band half-width in scaled MADs of the run medians. */
  readonly k: number
  /** Fewer runs than this: the band is unknown. */
  readonly minRuns: number
}

export const DEFAULT_NOISE_BAND: NoiseBandSettings = { k: 3, minRuns: 3 }

export interface NoiseBand {
  /** Median of the run medians. */
  readonly center: number
  readonly low: number
  readonly high: number
  readonly runs: number
  /** 1.4826 × MAD of the run medians: a robust standard deviation between runs. */
  readonly spread: number
}

/** The band around earlier runs' medians, or undefined while there are too few of them. */
export const noiseBand = (runMedians: readonly number[], s: NoiseBandSettings = DEFAULT_NOISE_BAND): NoiseBand | undefined => {
  if (runMedians.length < s.minRuns) return undefined
  const center = median(runMedians)
  const spread = scaledMad(runMedians)
  return { center, low: center - s.k * spread, high: center + s.k * spread, runs: runMedians.length, spread }
}

/** Where a value lies relative to the band, in the metric's own direction. */
export const bandSide = (value: number, band: NoiseBand, better: 'higher' | 'lower'): 'worse' | 'better' | 'within' => {
  if (value < band.low) return better === 'higher' ? 'worse' : 'better'
  if (value > band.high) return better === 'higher' ? 'better' : 'worse'
  return 'within'
}
