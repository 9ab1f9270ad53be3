/**
 * Check every `--tier-opt` before anything runs, with the same parsers the drivers use, so a typo is
 * a one-line usage error (exit 2) and not a tier that fails twenty minutes into a run. The drivers'
 * messages do not know the command; the error names the one the user ran (`bench:`, `gate:`, `ab:`).
 */
import { UsageError } from '../core/errors.js'
import type { TierId } from '../core/tier.js'
import { containerSettings } from '../tiers/container/builtin.js'
import { parseLimitOptions } from '../tiers/container/limit-options.js'
import { parseQemuOptions } from '../tiers/qemu/options.js'
import { parseEmuOptions } from '../tiers/user-emu/options.js'
import { checkOptionKeys } from '../tiers/option-checks.js'

export const validateTierOptions = (all: Partial<Record<TierId, Readonly<Record<string, string>>>>, command: string): void => {
  try {
    checkEach(all)
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${command}: ${e.message}`, e.hint)
    throw e
  }
}

const checkEach = (all: Partial<Record<TierId, Readonly<Record<string, string>>>>): void => {
  for (const [tier, options] of Object.entries(all) as [TierId, Readonly<Record<string, string>>][]) {
    switch (tier) {
      case 'native':
        checkOptionKeys('native', options, [])
        break
      case 'container':
        containerSettings({ options }, process.getuid?.() === 0)
        break
      case 'docker':
      case 'podman':
      case 'lxc':
        parseLimitOptions(tier, options)
        break
      case 'kvm-virtio':
      case 'kvm-emulated':
        parseQemuOptions(tier, 'kvm', options)
        break
      case 'tcg-virtio':
      case 'tcg-emulated':
        parseQemuOptions(tier, 'tcg', options)
        break
      case 'emu-aarch64':
        parseEmuOptions(options)
        break
    }
  }
}
