/**
 * Findings: the probe's vocabulary. A warn or fail cannot be built without a remediation,
 * so every non-pass verdict says what to do (docs/architecture.md, principle 2).
 */

export const STATUSES = ['pass', 'warn', 'fail', 'unknown', 'skip'] as const
export type Status = (typeof STATUSES)[number]

/** The capability areas findings are grouped by, in display order. */
export const AREAS = [
  'environment',
  'cpu',
  'kvm',
  'iommu',
  'sriov',
  'confidential',
  'memory',
  'cgroups',
  'namespaces',
  'devices',
  'software',
  'os-features',
  'internal',
] as const
export type Area = (typeof AREAS)[number]

/** What was looked at and what was seen there: `/proc/cpuinfo flags`, `vmx absent`. */
export interface Evidence {
  readonly source: string
  readonly observed: string
}

/** What the operator should do; commands are copy-pasteable, never run by virtcheck. */
export interface Remediation {
  readonly summary: string
  readonly commands?: readonly string[]
  readonly docs?: string
}

/** A thrown value turned into data (a probe that crashed is a virtcheck bug, reported as such). */
export interface SerializedError {
  readonly name: string
  readonly message: string
  readonly code?: string
  readonly stack?: string
}

interface FindingBase {
  /** Stable dotted id, e.g. `cpu.virt-extensions`, `kvm.device`. */
  readonly id: string
  readonly area: Area
  readonly title: string
  /** One line: the verdict in words. */
  readonly summary: string
  readonly evidence: readonly Evidence[]
  /** Set when the probe itself crashed; the finding is then `unknown`. */
  readonly bug?: SerializedError
  /** Free-form structured facts for reports and readiness (e.g. `{ module: 'kvm_pvm' }`). */
  readonly facts?: Readonly<Record<string, string | number | boolean | null>>
}

export type Finding =
  | (FindingBase & { readonly status: 'pass' | 'unknown' | 'skip'; readonly remediation?: Remediation })
  | (FindingBase & { readonly status: 'warn' | 'fail'; readonly remediation: Remediation })

type Head = Omit<FindingBase, 'summary' | 'evidence'>

/** Constructors keep probes short: `pass(head, 'VT-x present', [ev])`. */
export const pass = (head: Head, summary: string, evidence: readonly Evidence[] = []): Finding => ({
  ...head,
  status: 'pass',
  summary,
  evidence,
})
export const unknown = (head: Head, summary: string, evidence: readonly Evidence[] = [], remediation?: Remediation): Finding => ({
  ...head,
  status: 'unknown',
  summary,
  evidence,
  ...(remediation ? { remediation } : {}),
})
export const skip = (head: Head, summary: string, evidence: readonly Evidence[] = []): Finding => ({
  ...head,
  status: 'skip',
  summary,
  evidence,
})
export const warn = (head: Head, summary: string, evidence: readonly Evidence[], remediation: Remediation): Finding => ({
  ...head,
  status: 'warn',
  summary,
  evidence,
  remediation,
})
export const fail = (head: Head, summary: string, evidence: readonly Evidence[], remediation: Remediation): Finding => ({
  ...head,
  status: 'fail',
  summary,
  evidence,
  remediation,
})

export const evidence = (source: string, observed: string): Evidence => ({ source, observed })

/** Worst status first; used for exit codes and summaries. */
const SEVERITY: Record<Status, number> = { fail: 4, warn: 3, unknown: 2, skip: 1, pass: 0 }
export const severity = (s: Status): number => SEVERITY[s]

export const toSerializedError = (thrown: unknown): SerializedError => {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code
    return {
      name: thrown.name,
      message: thrown.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(thrown.stack ? { stack: thrown.stack } : {}),
    }
  }
  return { name: 'NonError', message: String(thrown) }
}
