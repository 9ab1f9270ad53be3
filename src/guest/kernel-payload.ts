/**
 * Pure: where the compressed kernel sits inside a bzImage and how it is compressed. QEMU boots an
 * uncompressed ELF `vmlinux` directly through PVH, which skips the in-guest decompressor (XZ costs
 * ~3.5 s under TCG, docs/tiers.md), so virtcheck extracts it once per kernel.
 *
 * The x86 boot protocol says where the payload is (setup_sects at 0x1f1, payload_offset/length at
 * 0x248/0x24c, relative to the protected-mode code at (setup_sects+1)*512). When the header is not
 * a bzImage (other arches, truncated files) we fall back to scanning for a compression magic.
 */

export type KernelCompression = 'gzip' | 'xz' | 'lz4' | 'zstd'

export interface KernelPayload {
  readonly compression: KernelCompression
  readonly offset: number
  /** Bytes to feed the decompressor (to the end of the file when unknown). */
  readonly length: number
  readonly foundBy: 'boot-header' | 'magic-scan'
}

const MAGICS: readonly { readonly compression: KernelCompression; readonly bytes: readonly number[] }[] = [
  { compression: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { compression: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { compression: 'lz4', bytes: [0x02, 0x21, 0x4c, 0x18] }, // lz4 legacy frame, as the kernel uses
  { compression: 'gzip', bytes: [0x1f, 0x8b, 0x08] },
]

const matchesAt = (buf: Uint8Array, at: number, magic: readonly number[]): boolean => {
  if (at < 0 || at + magic.length > buf.length) return false
  for (let i = 0; i < magic.length; i++) if (buf[at + i] !== magic[i]) return false
  return true
}

export const compressionAt = (buf: Uint8Array, at: number): KernelCompression | undefined =>
  MAGICS.find((m) => matchesAt(buf, at, m.bytes))?.compression

const u32 = (buf: Uint8Array, at: number): number =>
  at + 4 <= buf.length ? ((buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16)) >>> 0) + buf[at + 3]! * 0x1000000 : -1

/** True when the bytes carry the x86 boot header signature "HdrS" at 0x202. */
export const isBzImage = (buf: Uint8Array): boolean => matchesAt(buf, 0x202, [0x48, 0x64, 0x72, 0x53])

export const isElf = (buf: Uint8Array): boolean => matchesAt(buf, 0, [0x7f, 0x45, 0x4c, 0x46])

export const findKernelPayload = (buf: Uint8Array): KernelPayload | undefined => {
  if (isBzImage(buf)) {
    const setupSects = buf[0x1f1] === 0 ? 4 : buf[0x1f1]!
    const pmStart = (setupSects + 1) * 512
    const off = u32(buf, 0x248)
    const len = u32(buf, 0x24c)
    const at = pmStart + off
    const compression = off > 0 ? compressionAt(buf, at) : undefined
    if (compression && len > 0 && at + len <= buf.length) return { compression, offset: at, length: len, foundBy: 'boot-header' }
  }
  // Earliest magic wins: a later match is more likely to be data inside the compressed stream.
  for (let i = 0; i < buf.length; i++) {
    const compression = compressionAt(buf, i)
    if (compression) return { compression, offset: i, length: buf.length - i, foundBy: 'magic-scan' }
  }
  return undefined
}

/** The decompressor command (stdin -> stdout) for a payload; all ship with Debian's xz-utils, lz4, zstd, gzip. */
export const decompressorArgv = (c: KernelCompression): readonly string[] =>
  ({
    gzip: ['gzip', '-dc'],
    xz: ['xz', '-dc', '--single-stream'],
    lz4: ['lz4', '-dc'],
    zstd: ['zstd', '-dc'],
  })[c]
