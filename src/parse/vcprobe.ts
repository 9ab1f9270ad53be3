/** The JSON of the vcprobe helper (probes/native/vcprobe.c) -> typed facts. Malformed output -> undefined. */

export type Regs = readonly [number, number, number, number]

export interface CpuidDump {
  readonly arch: string
  readonly leaves: ReadonlyMap<string, Regs>
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const tryJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export const leafKey = (leaf: number, sub = 0): string => `0x${leaf.toString(16).padStart(8, '0')}.${sub}`

export const parseCpuidDump = (text: string): CpuidDump | undefined => {
  const d = tryJson(text)
  if (!isRecord(d) || typeof d['arch'] !== 'string' || !isRecord(d['leaves'])) return undefined
  const leaves = new Map<string, Regs>()
  for (const [k, v] of Object.entries(d['leaves'])) {
    if (Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number')) leaves.set(k, v as unknown as Regs)
  }
  return { arch: d['arch'], leaves }
}

const regsToAscii = (...regs: number[]): string =>
  regs
    .map((r) => String.fromCharCode(r & 0xff, (r >>> 8) & 0xff, (r >>> 16) & 0xff, (r >>> 24) & 0xff))
    .join('')
    .replace(/\0+$/, '')

const bit = (v: number | undefined, n: number): boolean => v !== undefined && ((v >>> n) & 1) === 1

export interface CpuidFacts {
  /** `GenuineIntel`, `AuthenticAMD`, `HygonGenuine`... */
  readonly vendor: string | undefined
  readonly vmx: boolean
  readonly svm: boolean
  readonly hypervisorBit: boolean
  /** 12-char signature at 0x40000000 (e.g. `KVMKVMKVM`, `Microsoft Hv`), when the hypervisor bit is set. */
  readonly hypervisorSignature: string | undefined
  /** AMD nested paging (0x8000000A EDX bit 0). */
  readonly npt: boolean | undefined
  /** 0x8000001F EAX: SME bit0, SEV bit1, SEV-ES bit3, SEV-SNP bit4. */
  readonly sme: boolean
  readonly sev: boolean
  readonly sevEs: boolean
  readonly sevSnp: boolean
  /** Leaf 0x21 `IntelTDX    ` (we are a TDX guest). */
  readonly tdxGuest: boolean
  /**
   * Every hypervisor signature in 0x40000000..0x4000FF00 (step 0x100) whose max leaf lies in its own
   * block: a hypervisor offering another's enlightenments shows that one first (KVM or Xen with
   * Hyper-V enlightenments: "Microsoft Hv" at 0x40000000, its own at 0x40000100).
   */
  readonly hypervisorSignatures: readonly { readonly base: number; readonly signature: string }[]
}

export const decodeCpuid = (dump: CpuidDump): CpuidFacts => {
  const l = (leaf: number) => dump.leaves.get(leafKey(leaf))
  const l0 = l(0)
  const l1 = l(1)
  const hv = l(0x40000000)
  const e1 = l(0x80000001)
  const svmLeaf = l(0x8000000a)
  const mem = l(0x8000001f)
  const tdx = l(0x21)
  const hypervisorBit = bit(l1?.[2], 31)
  return {
    vendor: l0 ? regsToAscii(l0[1], l0[3], l0[2]) : undefined,
    vmx: bit(l1?.[2], 5),
    svm: bit(e1?.[2], 2),
    hypervisorBit,
    hypervisorSignature: hypervisorBit && hv ? regsToAscii(hv[1], hv[2], hv[3]) : undefined,
    npt: svmLeaf ? bit(svmLeaf[3], 0) : undefined,
    sme: bit(mem?.[0], 0),
    sev: bit(mem?.[0], 1),
    sevEs: bit(mem?.[0], 3),
    sevSnp: bit(mem?.[0], 4),
    tdxGuest: tdx ? regsToAscii(tdx[1], tdx[3], tdx[2]) === 'IntelTDX' : false,
    hypervisorSignatures: hypervisorBit ? hypervisorBases(dump) : [],
  }
}

const hypervisorBases = (dump: CpuidDump): { base: number; signature: string }[] => {
  const out: { base: number; signature: string }[] = []
  for (let base = 0x40000000; base <= 0x4000ff00; base += 0x100) {
    const r = dump.leaves.get(leafKey(base))
    if (!r || r[0] < base || r[0] > base + 0xff) continue
    const signature = regsToAscii(r[1], r[2], r[3]).replace(/[\s\0]+$/, '')
    if (signature) out.push({ base, signature })
  }
  return out
}

/**
 * The hypervisor behind a list of CPUID signatures: the first known one, except that a "Microsoft Hv"
 * followed by another known signature is that other hypervisor exposing Hyper-V enlightenments.
 */
export const hypervisorFromSignatures = (
  sigs: readonly { base: number; signature: string }[],
): { vendor: string; enlightenments?: string } | undefined => {
  const known = sigs.map((s) => ({ ...s, vendor: HYPERVISOR_SIGNATURES[s.signature] }))
  const first = known[0]
  if (!first) return undefined
  const other = known.slice(1).find((k) => k.vendor && k.vendor !== 'microsoft')
  if (first.vendor === 'microsoft' && other?.vendor)
    return {
      vendor: other.vendor,
      enlightenments: `Hyper-V enlightenments at 0x40000000, ${other.signature} at 0x${other.base.toString(16)}`,
    }
  return { vendor: first.vendor ?? `other (${first.signature})` }
}

/** Known CPUID hypervisor signatures (systemd virt.c, virt-what). */
export const HYPERVISOR_SIGNATURES: Readonly<Record<string, string>> = {
  KVMKVMKVM: 'kvm',
  'Linux KVM Hv': 'kvm',
  XenVMMXenVMM: 'xen',
  TCGTCGTCGTCG: 'qemu-tcg',
  VMwareVMware: 'vmware',
  'Microsoft Hv': 'microsoft',
  'bhyve bhyve': 'bhyve',
  QNXQVMBSQG: 'qnx',
  ACRNACRNACRN: 'acrn',
  LKVMLKVMLKVM: 'lkvm',
  OpenBSDVMM58: 'openbsd-vmm',
  VBoxVBoxVBox: 'virtualbox',
  'Apple VZ': 'apple',
  SRESRESRESRE: 'sre',
  UnisysSpar64: 'unisys',
}

export interface KvmProbe {
  readonly open: string
  readonly apiVersion?: number | null
  readonly caps?: Readonly<Record<string, number>>
  readonly createVm?: string
  readonly createVcpu?: string
}

export const parseKvmProbe = (text: string): KvmProbe | undefined => {
  const d = tryJson(text)
  if (!isRecord(d) || typeof d['open'] !== 'string') return undefined
  const caps = isRecord(d['caps'])
    ? (Object.fromEntries(Object.entries(d['caps']).filter(([, v]) => typeof v === 'number')) as Record<string, number>)
    : undefined
  return {
    open: d['open'],
    ...(typeof d['apiVersion'] === 'number' || d['apiVersion'] === null ? { apiVersion: d['apiVersion'] as number | null } : {}),
    ...(caps ? { caps } : {}),
    ...(typeof d['createVm'] === 'string' ? { createVm: d['createVm'] } : {}),
    ...(typeof d['createVcpu'] === 'string' ? { createVcpu: d['createVcpu'] } : {}),
  }
}

export interface UsernsProbe {
  readonly uid: number
  /** Namespace type -> `ok` or errno name, tried as this user. */
  readonly asSelf: Readonly<Record<string, string>>
  /** unshare(CLONE_NEWUSER) as an unprivileged user (nobody when run as root). */
  readonly unprivilegedUser: string
  readonly unprivilegedTestedAs: number
}

export const parseUsernsProbe = (text: string): UsernsProbe | undefined => {
  const d = tryJson(text)
  if (!isRecord(d) || typeof d['uid'] !== 'number' || !isRecord(d['asSelf']) || typeof d['unprivilegedUser'] !== 'string') return undefined
  const asSelf = Object.fromEntries(Object.entries(d['asSelf']).filter(([, v]) => typeof v === 'string')) as Record<string, string>
  return {
    uid: d['uid'],
    asSelf,
    unprivilegedUser: d['unprivilegedUser'],
    unprivilegedTestedAs: typeof d['unprivilegedTestedAs'] === 'number' ? d['unprivilegedTestedAs'] : d['uid'],
  }
}
