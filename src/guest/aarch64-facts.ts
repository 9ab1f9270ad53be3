/**
 * Pure facts for the arm64 guest of `emu-aarch64` (mode=system): where it lives in virtcheck's cache,
 * the private apt options that fetch arm64 packages without touching the host's dpkg configuration
 * (no `dpkg --add-architecture`: apt gets its own architecture list, package lists, cache and an
 * empty status file), and the manifest that marks a complete entry.
 */
import { join } from 'node:path'
import { guestCacheDir } from './cache-paths.js'

/** `<cache>/aarch64`: apt state, unpacked kernels, busybox and the manifest. */
export const aarch64CacheDir = (env: NodeJS.ProcessEnv = process.env): string => join(guestCacheDir(env), 'aarch64')

/** The manifest, written last: its presence marks a complete arm64 guest. */
export const AARCH64_MANIFEST = 'virtcheck-aarch64.json'

/** Debian's cloud kernel: virtio_mmio, virtio_blk, virtio_net and virtio_console as modules, PL011 built in; 21 MB. */
export const AARCH64_KERNEL_META = { cloud: 'linux-image-cloud-arm64', generic: 'linux-image-arm64' } as const
export type Aarch64Flavour = keyof typeof AARCH64_KERNEL_META

/** apt-get/apt-cache `-o` options for a private arm64 apt state under `aptDir`. */
export const privateAptOptions = (aptDir: string): string[] =>
  [
    'APT::Architecture=arm64',
    'APT::Architectures=arm64',
    `Dir::State::Lists=${join(aptDir, 'lists')}`,
    `Dir::Cache=${join(aptDir, 'cache')}`,
    // An empty status file: the host's installed (amd64) packages mean nothing to this apt.
    'Dir::State::status=/dev/null',
  ].flatMap((o) => ['-o', o])

export interface Aarch64Manifest {
  readonly arch: 'aarch64'
  readonly release: string
  readonly flavour: string
  readonly kernelPackage: string
  readonly kernelPackageVersion: string
  /** Paths relative to aarch64CacheDir(). The uncompressed arm64 `Image` QEMU boots. */
  readonly image: string
  /** Debian's gzip-compressed Image (vmlinuz). */
  readonly vmlinuz: string
  readonly modulesDir: string
  readonly busybox: string
  readonly busyboxPackageVersion: string
  readonly installedAt: string
}

export const isAarch64Manifest = (v: unknown): v is Aarch64Manifest => {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return (
    o['arch'] === 'aarch64' && ['release', 'flavour', 'image', 'vmlinuz', 'modulesDir', 'busybox'].every((k) => typeof o[k] === 'string')
  )
}

/** `busybox-static_1%3a1.35.0-4+deb12u1+b1_arm64.deb` -> `1:1.35.0-4+deb12u1+b1`. */
export const debVersion = (file: string): string => decodeURIComponent(/_([^_]+)_[^_]+\.deb$/.exec(file)?.[1] ?? 'unknown')

/** arm64 boot protocol: the Image header carries `ARM\x64` at offset 0x38. */
export const isArm64Image = (head: Uint8Array): boolean =>
  head.length >= 0x3c && head[0x38] === 0x41 && head[0x39] === 0x52 && head[0x3a] === 0x4d && head[0x3b] === 0x64

export const isGzip = (head: Uint8Array): boolean => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b
