/**
 * The NFD label set, decided from a probe's findings and readiness (pure). A small, stable set of
 * labels for scheduling (docs/nfd.md lists them) plus richer free-text values as `# +no-label`
 * features, which NodeFeatureRules can match on but which never become node labels.
 * Host strings are untrusted: label values are normalised to NFD's charset or dropped, feature values
 * are folded onto one line; the file renderer (nfd-file.ts) re-checks everything before writing.
 */
import type { Finding } from '../core/finding.js'
import type { HostContext } from '../core/report.js'
import type { TierReadiness } from '../core/tier.js'
import { MAX_VALUE, isValidLabelValue, labelKeyProblem } from './nfd-rules.js'

export const DEFAULT_NFD_PREFIX = 'feature.node.kubernetes.io/virtcheck-'

export interface NfdEntry {
  readonly key: string
  readonly value: string
}

export interface NfdSet {
  readonly labels: readonly NfdEntry[]
  /** `# +no-label` features: raw values for NodeFeatureRules. */
  readonly features: readonly NfdEntry[]
  /** What could not be written as a valid label, and why (reported on stderr, never written). */
  readonly dropped: readonly { readonly key: string; readonly reason: string }[]
}

export interface NfdInput {
  readonly findings: readonly Finding[]
  readonly readiness: readonly TierReadiness[]
  readonly host: HostContext
  readonly probeVersion: string
}

/** Split a `--nfd-prefix` into namespace and name prefix; a message when NFD would refuse it. */
export const parseNfdPrefix = (prefix: string): { ns: string; namePrefix: string } | { problem: string } => {
  const slash = prefix.indexOf('/')
  if (slash < 0) return { problem: 'needs a namespace, e.g. feature.node.kubernetes.io/virtcheck-' }
  const ns = prefix.slice(0, slash)
  const namePrefix = prefix.slice(slash + 1)
  const probe = `${ns}/x`
  const p = labelKeyProblem(probe)
  if (p === 'bad-namespace')
    return { problem: `namespace ${JSON.stringify(ns)} is not a DNS subdomain (lowercase a-z 0-9 - . , at most 253 characters)` }
  if (p === 'denied-namespace')
    return {
      problem: `nfd-master denies the namespace ${JSON.stringify(ns)} (kubernetes.io is reserved; feature.node.kubernetes.io and its sub-domains are allowed)`,
    }
  if (namePrefix !== '' && !/^[A-Za-z0-9][-_.A-Za-z0-9]*$/.test(namePrefix))
    return { problem: `name prefix ${JSON.stringify(namePrefix)} must start alphanumeric and hold only A-Z a-z 0-9 - _ .` }
  if (namePrefix.length > 40)
    return { problem: `name prefix ${JSON.stringify(namePrefix)} is longer than 40 characters: label names would exceed 63` }
  return { ns, namePrefix }
}

/**
 * Normalise an untrusted string to a label value: invalid characters become `-`, runs collapse, the
 * ends are trimmed to alphanumerics, at most 63 characters. Undefined when nothing valid is left.
 */
export const toLabelValue = (raw: string): string | undefined => {
  let v = raw.replace(/[^-_.A-Za-z0-9]+/g, '-').replace(/-{2,}/g, '-')
  v = v
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_VALUE)
    .replace(/[^A-Za-z0-9]+$/, '')
  return v !== '' && isValidLabelValue(v) ? v : undefined
}

/** Longest free-text feature value kept (the file must stay far below NFD's 64 KiB). */
export const MAX_FEATURE_VALUE = 256

/** Fold an untrusted string onto one line: control and line-separator characters become spaces. */
export const toFeatureValue = (raw: string): string => {
  const oneLine = raw
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  const chars = [...oneLine]
  return chars.length <= MAX_FEATURE_VALUE ? oneLine : chars.slice(0, MAX_FEATURE_VALUE).join('').trimEnd()
}

type Facts = Readonly<Record<string, string | number | boolean | null>>
const tri = (v: unknown): string => (v === true ? 'true' : v === false ? 'false' : 'unknown')

/** The label names (after the prefix) and how each is decided; docs/nfd.md documents the same list. */
const labelValues = (input: NfdInput): [string, string | number | boolean | undefined][] => {
  const byId = new Map(input.findings.map((f) => [f.id, f]))
  const facts = (id: string): Facts => byId.get(id)?.facts ?? {}
  const status = (id: string) => byId.get(id)?.status

  const vm = facts('environment.vm')
  const ct = facts('environment.container')
  const hostType =
    ct['role'] === 'container'
      ? `container-${String(ct['container'] ?? 'unknown')}`
      : vm['role'] === 'vm'
        ? `vm-${String(vm['vendor'] ?? 'unknown')}`
        : vm['role'] === 'bare-metal'
          ? 'bare-metal'
          : 'unknown'

  const ext = facts('cpu.virt-extensions')['extension']
  const kvmDev = facts('kvm.device')
  const kvmMod = facts('kvm.module')
  const api = status('kvm.api')
  // Usable = the device opens read-write, the API answers, and standard guest kernels can boot on it.
  const kvmUsable =
    kvmDev['present'] === false || kvmDev['writable'] === false || api === 'fail' || kvmMod['standardGuests'] === false
      ? false
      : kvmDev['writable'] === true && api === 'pass' && status('kvm.module') === 'pass'
        ? true
        : undefined
  const iommu = facts('iommu.kernel')
  const iommuOn = typeof iommu['units'] === 'number' ? iommu['units'] > 0 : undefined
  const sriov = facts('sriov.devices')

  const tiers = input.readiness.map((r): [string, boolean] => [`tier.${r.tier}`, r.ready])
  return [
    ['host.type', hostType],
    ['cpu.virt', typeof ext === 'string' ? ext.toLowerCase() : 'unknown'],
    ['kvm.device', kvmDev['present'] === false ? false : tri(kvmDev['writable'])],
    ['kvm.usable', tri(kvmUsable)],
    ['kvm.backend', typeof kvmMod['module'] === 'string' ? kvmMod['module'] : kvmDev['present'] === false ? 'none' : 'unknown'],
    ['kvm.nested', tri(facts('kvm.nested')['nested'])],
    ['iommu.enabled', tri(iommuOn)],
    ['sriov.capable', typeof sriov['capable'] === 'number' ? sriov['capable'] : undefined],
    ['sriov.vfs', typeof sriov['totalVfs'] === 'number' ? sriov['totalVfs'] : typeof sriov['capable'] === 'number' ? 0 : undefined],
    ['cgroup.mode', typeof facts('cgroups.mode')['mode'] === 'string' ? String(facts('cgroups.mode')['mode']) : 'unknown'],
    ...tiers,
    ['tiers.ready', input.readiness.filter((r) => r.ready).length],
    ['probe.version', input.probeVersion],
  ]
}

/** Free text for NodeFeatureRules: never labels (values such as `AMD EPYC 7B13` are not valid labels). */
const featureValues = (input: NfdInput): [string, string][] => {
  const h = input.host
  const byId = new Map(input.findings.map((f) => [f.id, f]))
  const notReady = input.readiness.filter((r) => !r.ready).map((r): [string, string] => [`tier.${r.tier}.reason`, r.summary])
  const qemu = byId.get('software.qemu-system-x86_64')?.facts?.['version'] ?? byId.get('software.qemu-system-aarch64')?.facts?.['version']
  const worst = input.findings.filter((f) => f.status === 'fail').map((f) => f.id)
  return [
    ['host.virt-role', h.virtRole],
    ['cpu.model', h.cpuModel],
    ['cpu.cores', String(h.cpuCores)],
    ['kernel', h.kernel],
    ['distro', h.distro],
    ['arch', h.arch],
    ...(typeof qemu === 'string' ? ([['qemu.version', qemu]] as [string, string][]) : []),
    ['findings.failed', worst.join(',') || 'none'],
    ...notReady,
  ]
}

/** Build the label set; entries whose key or value NFD would refuse go to `dropped`, never to the file. */
export const buildNfdSet = (input: NfdInput, prefix: string = DEFAULT_NFD_PREFIX): NfdSet => {
  const dropped: { key: string; reason: string }[] = []
  const labels: NfdEntry[] = []
  const seen = new Set<string>()
  // First entry wins: a later duplicate key would silently override it in NFD.
  const fresh = (key: string) => !seen.has(key) && (seen.add(key), true)
  for (const [name, raw] of labelValues(input)) {
    const key = prefix + name
    if (!fresh(key)) continue
    const keyProblem = labelKeyProblem(key)
    if (keyProblem) {
      dropped.push({ key, reason: `key: ${keyProblem}` })
      continue
    }
    if (raw === undefined) continue
    const value = toLabelValue(String(raw))
    if (value === undefined) dropped.push({ key, reason: `no valid label value in ${JSON.stringify(String(raw).slice(0, 80))}` })
    else labels.push({ key, value })
  }
  const features: NfdEntry[] = []
  for (const [name, raw] of featureValues(input)) {
    const key = prefix + name
    if (!fresh(key)) continue
    const keyProblem = labelKeyProblem(key)
    if (keyProblem) dropped.push({ key, reason: `key: ${keyProblem}` })
    else features.push({ key, value: toFeatureValue(raw) })
  }
  return { labels, features, dropped }
}
