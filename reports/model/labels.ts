/** Display names that never throw: a report from a newer minor version may name tiers we do not know. */
import { TIERS } from '../../src/core/tier.js'

export const tierLabel = (tier: string): string => TIERS.find((t) => t.id === tier)?.label ?? tier

export const FLAG_TEXT: Readonly<Record<string, string>> = {
  noisy: 'noisy: high variation between repetitions',
  short: 'some repetitions ran shorter than their target',
  steal: 'CPU steal time during the measurement',
  'cpu-differs': 'the CPUs differ: every repetition on one was better than every one on another',
}

/** One-character cell markers; anything unknown shows as `!`. */
export const flagMarker = (flag: string): string => (flag === 'noisy' ? '~' : '!')
