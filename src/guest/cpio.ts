/**
 * Pure newc ("070701") cpio encoder, the format the Linux kernel unpacks as an initramfs. Output is
 * deterministic (inode numbers in order, mtime 0), so identical inputs give identical bytes.
 * Header: magic + 13 eight-digit hex fields; name (with NUL) and data each padded to 4 bytes.
 */

export type CpioEntry =
  | { readonly kind: 'dir'; readonly path: string; readonly mode?: number }
  | { readonly kind: 'file'; readonly path: string; readonly data: Uint8Array; readonly mode?: number }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'char'; readonly path: string; readonly major: number; readonly minor: number; readonly mode?: number }

const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const S_IFLNK = 0o120000
const S_IFCHR = 0o020000

const hex8 = (n: number): string => {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`cpio field out of range: ${n}`)
  return n.toString(16).padStart(8, '0')
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4

const enc = new TextEncoder()

interface Header {
  ino: number
  mode: number
  nlink: number
  size: number
  rdevMajor: number
  rdevMinor: number
  name: string
}

const header = (h: Header): Uint8Array[] => {
  const name = enc.encode(h.name + '\0')
  const fields = [h.ino, h.mode, 0, 0, h.nlink, 0, h.size, 0, 0, h.rdevMajor, h.rdevMinor, name.length, 0]
  const head = enc.encode('070701' + fields.map(hex8).join(''))
  return [head, name, new Uint8Array(pad4(head.length + name.length))]
}

/** Names in a newc archive are relative (no leading slash), as `cpio -o -H newc` writes them. */
const archiveName = (p: string): string => p.replace(/^\/+/, '').replace(/\/+$/, '') || '.'

/** Encode entries (in the given order; parents must come before children) plus the trailer. */
export const encodeCpio = (entries: readonly CpioEntry[]): Uint8Array[] => {
  const out: Uint8Array[] = []
  let ino = 1
  for (const e of entries) {
    const name = archiveName(e.path)
    switch (e.kind) {
      case 'dir':
        out.push(...header({ ino: ino++, mode: S_IFDIR | (e.mode ?? 0o755), nlink: 2, size: 0, rdevMajor: 0, rdevMinor: 0, name }))
        break
      case 'file':
        out.push(
          ...header({ ino: ino++, mode: S_IFREG | (e.mode ?? 0o644), nlink: 1, size: e.data.length, rdevMajor: 0, rdevMinor: 0, name }),
        )
        out.push(e.data, new Uint8Array(pad4(e.data.length)))
        break
      case 'symlink': {
        const data = enc.encode(e.target)
        out.push(...header({ ino: ino++, mode: S_IFLNK | 0o777, nlink: 1, size: data.length, rdevMajor: 0, rdevMinor: 0, name }))
        out.push(data, new Uint8Array(pad4(data.length)))
        break
      }
      case 'char':
        out.push(
          ...header({ ino: ino++, mode: S_IFCHR | (e.mode ?? 0o600), nlink: 1, size: 0, rdevMajor: e.major, rdevMinor: e.minor, name }),
        )
        break
    }
  }
  out.push(...header({ ino: 0, mode: 0, nlink: 1, size: 0, rdevMajor: 0, rdevMinor: 0, name: 'TRAILER!!!' }))
  return out
}

/** Minimal decoder (names, modes, data) — for tests and for inspecting a cached image. */
export const decodeCpio = (buf: Uint8Array): { name: string; mode: number; data: Uint8Array; rdev: [number, number] }[] => {
  const dec = new TextDecoder()
  const out: { name: string; mode: number; data: Uint8Array; rdev: [number, number] }[] = []
  let at = 0
  for (;;) {
    if (at + 110 > buf.length) throw new Error('cpio: truncated header')
    const head = dec.decode(buf.subarray(at, at + 110))
    if (!head.startsWith('070701')) throw new Error(`cpio: bad magic at ${at}`)
    const f = (i: number) => Number.parseInt(head.slice(6 + i * 8, 14 + i * 8), 16)
    const namesize = f(11)
    const size = f(6)
    const name = dec.decode(buf.subarray(at + 110, at + 110 + namesize - 1))
    at += 110 + namesize
    at += pad4(at)
    if (name === 'TRAILER!!!') return out
    out.push({ name, mode: f(1), data: buf.subarray(at, at + size), rdev: [f(9), f(10)] })
    at += size
    at += pad4(at)
  }
}
