/** MSR values (8 little-endian bytes from /dev/cpu/N/msr) -> firmware virtualization state. */

export const MSR_IA32_FEATURE_CONTROL = 0x3a
export const MSR_AMD_VM_CR = 0xc0010114

export const msrValue = (b: Uint8Array): bigint | undefined => {
  if (b.length < 8) return undefined
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true)
}

/** Intel: locked with VMX-outside-SMX off = disabled by firmware. Unlocked = the kernel may enable it at boot. */
export const decodeFeatureControl = (
  v: bigint,
): { locked: boolean; vmxInSmx: boolean; vmxOutsideSmx: boolean; disabledByFirmware: boolean } => {
  const locked = (v & 1n) === 1n
  const vmxInSmx = (v & 2n) === 2n
  const vmxOutsideSmx = (v & 4n) === 4n
  return { locked, vmxInSmx, vmxOutsideSmx, disabledByFirmware: locked && !vmxOutsideSmx }
}

/** AMD VM_CR: bit 4 SVMDIS, bit 3 LOCK. */
export const decodeVmCr = (v: bigint): { svmDisabled: boolean; locked: boolean } => ({
  svmDisabled: (v & 0x10n) === 0x10n,
  locked: (v & 0x8n) === 0x8n,
})
