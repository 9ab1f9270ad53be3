/** The emu-aarch64 tier's definition (pure; the driver in ./index.ts loads on demand). */
import type { TierDefinition } from '../../core/tier-definition.js'
import { tierInfo } from '../../core/tier.js'
import { decide, need, vcworkNeed } from '../readiness-kit.js'
import { parseEmuOptions } from './options.js'

export const emuAarch64Definition: TierDefinition = {
  info: tierInfo('emu-aarch64'),
  readiness: (i) =>
    decide(
      'emu-aarch64',
      [
        need(
          i.finding('software.qemu-user-aarch64'),
          'software.qemu-user-aarch64',
          (f) => f.status === 'pass',
          'qemu-user for aarch64 not installed',
        ),
        vcworkNeed(i, 'aarch64'),
      ],
      'qemu-aarch64 and the aarch64 vcwork build available',
      [],
    ),
  checkOptions: (options) => void parseEmuOptions(options),
  // every instruction translated: as slow to start as TCG
  deep: { timeoutMs: 60_000, tryWhenKvmOpens: false },
  loadDriver: () => import('./index.js').then((m) => m.emuAarch64Driver),
}
