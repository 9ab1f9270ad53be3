/**
 * What in a tier's recorded config identifies the configuration, as opposed to this one run.
 *
 * Tiers record config for people: the full QEMU command line, the network namespace and interface
 * names, the addresses they got, paths in the scratch folder. Those differ between any two runs of the
 * same configuration (pids, the order in which tiers were linked to the peer), and once made every
 * separate-run comparison "not comparable". Comparability and history fingerprints use this view: keys
 * that only describe the run are left out, and run-specific tokens inside the other values are masked.
 * Pure.
 */
import type { TierConfig } from '../core/tier.js'

/** Keys that name per-run places, bookkeeping or a measurement, never the configuration. */
export const RUN_SPECIFIC_CONFIG_KEYS: readonly string[] = [
  'scratchDir',
  'scratch',
  'workDir',
  'logFile',
  'logDir',
  'pid',
  'abSide',
  'abOrder',
  // QEMU: the command line is recorded for reproduction; every setting in it is its own key as well.
  'qemuCommand',
  'bootToUserspaceMs',
]

/** Run-specific tokens inside config values, each replaced by a placeholder. */
const VOLATILE_TOKENS: readonly (readonly [RegExp, string])[] = [
  [/\bvirtcheck-\d+-\d+\b/g, 'virtcheck-<netns>'],
  [/\bvc(c|tap)\d+\b/g, 'vc$1<n>'],
  // virtcheck's own peer range (src/net/addresses.ts): which /30 a tier gets depends on the tier order.
  [/\b10\.213\.\d{1,3}\.\d{1,3}(\/\d{1,2})?\b/g, '<peer-subnet>'],
  [/\/tmp\/vc-[\w.-]+/g, '/tmp/vc-<run>'],
]

export const maskVolatile = (value: string | number | boolean): string | number | boolean =>
  typeof value === 'string' ? VOLATILE_TOKENS.reduce((s, [re, to]) => s.replace(re, to), value) : value

/** The config as far as it identifies the configuration: run-specific keys dropped, tokens masked. */
export const configIdentity = (config: TierConfig): Record<string, string | number | boolean> =>
  Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => !RUN_SPECIFIC_CONFIG_KEYS.includes(k))
      .map(([k, v]) => [k, maskVolatile(v)]),
  )
