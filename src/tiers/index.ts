/**
 * The tier driver catalog: one driver per TierId that virtcheck can run. The runner asks
 * `tierDriver(id)`; a tier without a driver is reported as skipped ("no driver in this build").
 */
import type { TierDriver, TierId } from '../core/tier.js'
import { nativeDriver } from './native/index.js'
import { containerDriver } from './container/builtin.js'
import { dockerDriver } from './container/docker.js'
import { podmanDriver } from './container/podman.js'
import { lxcDriver } from './container/lxc.js'
import { qemuDrivers } from './qemu/index.js'
import { emuAarch64Driver } from './user-emu/index.js'

export const TIER_DRIVERS: readonly TierDriver[] = [
  nativeDriver,
  containerDriver,
  dockerDriver,
  podmanDriver,
  lxcDriver,
  ...qemuDrivers,
  emuAarch64Driver,
]

export const tierDriver = (id: TierId): TierDriver | undefined => TIER_DRIVERS.find((d) => d.id === id)
