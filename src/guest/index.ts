/** Guest kernels and initramfs images for the QEMU tiers (see docs/tiers.md). */
export { guestCacheDir, kernelsDir, initramfsDir } from './cache-paths.js'
export { findGuestKernel, type GuestKernel, type FindKernelResult, type FindKernelOptions } from './kernel-find.js'
export { ensureGuestKernel, type EnsureKernelOptions, type EnsureKernelResult } from './kernel-setup.js'
export { preferUncompressed } from './kernel-bootable.js'
export { extractVmlinux } from './kernel-extract.js'
export { buildInitramfs, type InitramfsSpec, type InitramfsResult } from './initramfs.js'
export { renderInitScript, GUEST_UP_MARKER, AGENT_START_MARKER, AGENT_EXIT_MARKER } from './init-script.js'
export {
  ensureAarch64Guest,
  findAarch64Guest,
  type Aarch64Guest,
  type EnsureAarch64Options,
  type EnsureAarch64Result,
  type FindAarch64Result,
} from './aarch64-guest.js'
