/**
 * Kernel log lines -> the virtualization facts they state. Each pattern is a message the kernel really
 * prints (the messages are quoted in docs/probe.md); we keep the matching line as evidence.
 */

export const DMESG_FACTS = {
  vmxDisabledByBios: /VMX \((outside|inside) TXT\) disabled by BIOS|VMX not enabled \(by BIOS\)|kvm: disabled by bios/i,
  svmDisabledByBios: /SVM disabled \(by BIOS\)/i,
  noHardwareSupport: /kvm: no hardware support|SVM not supported by CPU|VMX not supported by CPU/i,
  kvmPvmLoaded: /kvm-pvm: loaded/i,
  // kvm_pvm built in, but the kernel runs as a PVM guest itself: no /dev/kvm (PVM does not nest)
  kvmPvmNotBinding: /kvm-pvm: this kernel is itself a kvm-pvm guest; not binding/i,
  pvmGuest: /pvm-pv: (?!not detected)/i,
  armHypAvailable:
    /(VHE mode initialized|Hyp mode initialized|Hyp nVHE mode initialized|Protected nVHE mode initialized|CPU: All CPU\(s\) started at EL2)/i,
  armHypUnavailable: /HYP mode not available|CPU: All CPU\(s\) started at EL1/i,
  hypervisorDetected: /Hypervisor detected: (.+)$/,
  bootingOn: /Booting paravirtualized kernel on (.+)$/,
  dmarEnabled: /DMAR: IOMMU enabled|DMAR: Intel\(R\) Virtualization Technology for Directed I\/O/i,
  amdViFound: /AMD-Vi: Found IOMMU|AMD-Vi: AMD IOMMUv2|pci 0000:[0-9a-f:.]+: Adding to iommu group/i,
  smmuFound: /arm-smmu(-v3)? .*(probing hardware configuration|ias \d+-bit)/i,
  irqRemapEnabled: /(DMAR-IR: Enabled IRQ remapping|AMD-Vi: Interrupt remapping enabled)/i,
  irqRemapDisabled: /(DMAR-IR: .*IRQ remapping (was )?disabled|x2apic: IRQ remapping doesn't support X2APIC mode)/i,
  sevEnabled: /(SEV enabled \(ASIDs|SEV supported: \d+ ASIDs)/i,
  sevEsEnabled: /SEV-ES (enabled|supported)/i,
  snpEnabled: /SEV-SNP (enabled|supported)/i,
  memEncryptActive: /Memory Encryption Features active: (.+)$/,
  tdxBiosEnabled: /virt\/tdx: BIOS enabled: private KeyID range/i,
  tdxInitialized: /virt\/tdx: (module initialized|TDX module initialized)/i,
  tdxGuest: /tdx: Guest detected/i,
  sriovMmio: /not enough MMIO resources for SR-IOV/i,
} as const

export type DmesgFact = keyof typeof DMESG_FACTS

/** Strip the `[    0.123] ` timestamp prefix. */
const stripTime = (line: string): string => line.replace(/^\[\s*\d+\.\d+\]\s*/, '').replace(/^<\d+>/, '')

const KEYS = Object.keys(DMESG_FACTS) as DmesgFact[]
/**
 * Words at least one fact's line contains (test/parse checks every pattern's sample has one): almost
 * no line of a kernel log matches any fact, and testing all patterns on every line was a tenth of a
 * probe's time. A plain alternation of literals is far cheaper than the patterns themselves.
 */
export const FACT_WORDS = /vmx|svm|kvm|pvm|hyp|vhe|el[12]\b|paravirtualized|dmar|amd-vi|iommu|smmu|remapping|sev|encryption|tdx|sr-iov/i

/** Fact -> first matching line (without timestamp). */
export const scanDmesg = (text: string): Partial<Record<DmesgFact, string>> => {
  const out: Partial<Record<DmesgFact, string>> = {}
  for (const raw of text.split('\n')) {
    if (!FACT_WORDS.test(raw)) continue
    const line = stripTime(raw)
    if (!line) continue
    for (const k of KEYS) if (out[k] === undefined && DMESG_FACTS[k].test(line)) out[k] = line
  }
  return out
}

/** The capture group of a fact's line (e.g. the hypervisor name). */
export const dmesgCapture = (fact: DmesgFact, line: string | undefined): string | undefined =>
  line === undefined ? undefined : DMESG_FACTS[fact].exec(line)?.[1]?.trim()
