/** /proc/cpuinfo -> facts. Flags are whole tokens; the first processor block speaks for all (as kvm-ok does). */

export interface CpuInfo {
  readonly vendorId: string | undefined
  readonly modelName: string | undefined
  /** x86 `flags`, or arm64 `Features`. */
  readonly flags: ReadonlySet<string>
  /** The `vmx flags` line (kernels >= 5.8 with CONFIG_X86_VMX_FEATURE_NAMES); empty when absent. */
  readonly vmxFlags: ReadonlySet<string>
  readonly hasVmxFlagsLine: boolean
  readonly processors: number
  /** arm64 `CPU implementer` (e.g. 0x41 = Arm). */
  readonly cpuImplementer: string | undefined
  /** `cpu MHz` of the first processor, when reported. */
  readonly mhz: number | undefined
}

const splitTokens = (v: string | undefined): Set<string> => new Set((v ?? '').trim().split(/\s+/).filter(Boolean))

export const parseCpuinfo = (text: string): CpuInfo => {
  const first = new Map<string, string>()
  let processors = 0
  let seenBlankAfterFirst = false
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (first.size > 0) seenBlankAfterFirst = true
      continue
    }
    const idx = line.indexOf(':')
    if (idx < 0) continue
    const key = line.slice(0, idx).trim()
    const value = line.slice(idx + 1).trim()
    if (key === 'processor') processors++
    if (!seenBlankAfterFirst && !first.has(key)) first.set(key, value)
  }
  const mhz = Number(first.get('cpu MHz'))
  return {
    vendorId: first.get('vendor_id'),
    modelName: first.get('model name') ?? first.get('Model') ?? first.get('Hardware'),
    flags: splitTokens(first.get('flags') ?? first.get('Features')),
    vmxFlags: splitTokens(first.get('vmx flags')),
    hasVmxFlagsLine: first.has('vmx flags'),
    processors: Math.max(processors, first.size > 0 ? 1 : 0),
    cpuImplementer: first.get('CPU implementer'),
    mhz: Number.isFinite(mhz) && mhz > 0 ? mhz : undefined,
  }
}
