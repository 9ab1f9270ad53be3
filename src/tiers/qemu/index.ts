/**
 * QEMU system-emulation tiers for x86_64 guests: kvm-virtio, kvm-emulated, tcg-virtio, tcg-emulated.
 * See docs/tiers.md for the command lines, devices and kernel choice.
 */
import type { TierDriver } from '../../core/tier.js'
import { QEMU_TIER_PROFILES, type QemuTierProfile } from './profiles.js'
import { openQemuTier } from './session.js'

export const qemuDriver = (p: QemuTierProfile): TierDriver => ({ id: p.tier, open: (ctx) => openQemuTier(p, ctx) })
export const qemuDrivers: readonly TierDriver[] = QEMU_TIER_PROFILES.map(qemuDriver)

export { GuestBootError } from './guest-process.js'
export { buildGuestCommand, renderArgv } from './command.js'
export { parseQemuOptions, QEMU_OPTION_KEYS } from './options.js'
export { cleanupStrayGuests, findStrayGuests, socketDirOwner, virtcheckGuestName, type GuestProcessInfo } from './strays.js'
