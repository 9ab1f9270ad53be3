/** ACPI table bytes -> facts (DMAR flags, IORT SMMU nodes). Layouts from the ACPI and vendor specs. */

export interface AcpiHeader {
  readonly signature: string
  readonly length: number
  readonly revision: number
  readonly oemId: string
}

/** The 36-byte common header. */
export const parseAcpiHeader = (b: Uint8Array): AcpiHeader | undefined => {
  if (b.length < 36) return undefined
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const ascii = (from: number, to: number) =>
    String.fromCharCode(...b.subarray(from, to))
      .replace(/\0+$/, '')
      .trim()
  return { signature: ascii(0, 4), length: dv.getUint32(4, true), revision: b[8] ?? 0, oemId: ascii(10, 16) }
}

/** DMAR byte 37: bit0 INTR_REMAP, bit1 X2APIC_OPT_OUT, bit2 DMA_CTRL_PLATFORM_OPT_IN. */
export const parseDmarFlags = (b: Uint8Array): { intrRemap: boolean; x2apicOptOut: boolean; dmaCtrlOptIn: boolean } | undefined => {
  const h = parseAcpiHeader(b)
  if (!h || h.signature !== 'DMAR' || b.length < 38) return undefined
  const f = b[37] ?? 0
  return { intrRemap: (f & 1) !== 0, x2apicOptOut: (f & 2) !== 0, dmaCtrlOptIn: (f & 4) !== 0 }
}

/** IORT: node count at 36, node offset at 40; nodes are type u8, length u16. Type 3 = SMMUv1/2, 4 = SMMUv3. */
export const parseIortSmmu = (b: Uint8Array): { smmuV2: number; smmuV3: number; nodes: number } | undefined => {
  const h = parseAcpiHeader(b)
  if (!h || h.signature !== 'IORT' || b.length < 48) return undefined
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const nodes = dv.getUint32(36, true)
  let off = dv.getUint32(40, true)
  let smmuV2 = 0
  let smmuV3 = 0
  for (let i = 0; i < nodes; i++) {
    if (off + 3 > b.length) return undefined
    const type = b[off] ?? 0
    const len = dv.getUint16(off + 1, true)
    if (type === 3) smmuV2++
    if (type === 4) smmuV3++
    if (len === 0) return undefined
    off += len
  }
  return { smmuV2, smmuV3, nodes }
}
