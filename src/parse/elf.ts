/** ELF header bytes -> machine and whether the binary is static (no PT_INTERP program header). */

export interface ElfInfo {
  readonly machine: 'x86_64' | 'aarch64' | 'i386' | 'arm' | 'riscv64' | 'other'
  readonly static: boolean
}

const MACHINES: Readonly<Record<number, ElfInfo['machine']>> = { 62: 'x86_64', 183: 'aarch64', 3: 'i386', 40: 'arm', 243: 'riscv64' }

/** Needs the first bytes of the file (4 KiB covers the program headers of ordinary binaries). */
export const parseElf = (b: Uint8Array): ElfInfo | undefined => {
  if (b.length < 64 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) return undefined
  if (b[4] !== 2 || b[5] !== 1) return undefined // only 64-bit little-endian
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const machine = MACHINES[dv.getUint16(18, true)] ?? 'other'
  const phoff = Number(dv.getBigUint64(32, true))
  const phentsize = dv.getUint16(54, true)
  const phnum = dv.getUint16(56, true)
  let interp = false
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize
    if (off + 4 > b.length) return undefined
    if (dv.getUint32(off, true) === 3) interp = true
  }
  return { machine, static: !interp }
}
