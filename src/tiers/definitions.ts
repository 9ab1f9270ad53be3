/**
 * Every tier's definition, keyed by id: a tier missing here is a compile error. Pure: the drivers
 * load on demand (src/tiers/index.ts), so deciding readiness loads no driver code.
 */
import type { TierDefinition } from '../core/tier-definition.js'
import type { TierId } from '../core/tier.js'
import { containerDefinition, dockerDefinition, lxcDefinition, podmanDefinition } from './container/definition.js'
import { nativeDefinition } from './native/definition.js'
import { qemuDefinition } from './qemu/definition.js'
import { emuAarch64Definition } from './user-emu/definition.js'

export const TIER_DEFINITIONS = {
  native: nativeDefinition,
  container: containerDefinition,
  docker: dockerDefinition,
  podman: podmanDefinition,
  lxc: lxcDefinition,
  'kvm-virtio': qemuDefinition('kvm-virtio'),
  'kvm-emulated': qemuDefinition('kvm-emulated'),
  'tcg-virtio': qemuDefinition('tcg-virtio'),
  'tcg-emulated': qemuDefinition('tcg-emulated'),
  'emu-aarch64': emuAarch64Definition,
} satisfies Record<TierId, TierDefinition>
