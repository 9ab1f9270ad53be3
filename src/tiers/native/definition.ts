/** The native tier's definition (pure; the driver in ./index.ts loads on demand). */
import type { TierDefinition } from '../../core/tier-definition.js'
import { tierInfo } from '../../core/tier.js'
import { checkOptionKeys } from '../option-checks.js'
import { decide, vcworkNativeNeed } from '../readiness-kit.js'

export const nativeDefinition: TierDefinition = {
  info: tierInfo('native'),
  readiness: (i) => decide('native', [vcworkNativeNeed(i)], 'runs vcwork directly on the host', []),
  checkOptions: (options) => checkOptionKeys('native', options, []),
  deep: { timeoutMs: 30_000, tryWhenKvmOpens: false },
  loadDriver: () => import('./index.js').then((m) => m.nativeDriver),
}
