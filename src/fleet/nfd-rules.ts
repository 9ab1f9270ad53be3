/**
 * Node Feature Discovery's label rules, re-stated (docs/nfd.md): NFD validates with apimachinery's
 * IsQualifiedName / IsValidLabelValue and nfd-master's namespace policy, and drops an invalid label
 * silently (logged at info level only). virtcheck checks every label before writing so none is lost.
 */

/** A label name, and the part of a key after `/`: 1..63 chars, alphanumeric at both ends, [-_.] inside. */
const NAME = /^[A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?$/
/** One DNS-1123 label: lowercase alphanumeric at both ends, `-` inside, at most 63 chars. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/

export const MAX_NAME = 63
export const MAX_VALUE = 63
export const MAX_PREFIX = 253
/** NFD ignores a whole feature file above this size. */
export const MAX_FEATURE_FILE_BYTES = 65536

export const isValidLabelName = (name: string): boolean => name.length <= MAX_NAME && NAME.test(name)

/** Empty, or the same charset and length as a name. */
export const isValidLabelValue = (value: string): boolean => value === '' || (value.length <= MAX_VALUE && NAME.test(value))

/** A DNS subdomain (RFC 1123): dot-separated DNS labels, at most 253 chars. */
export const isDnsSubdomain = (s: string): boolean => s.length > 0 && s.length <= MAX_PREFIX && s.split('.').every((l) => DNS_LABEL.test(l))

/**
 * nfd-master's namespace policy without operator flags: kubernetes.io and *.kubernetes.io are denied,
 * except feature.node.kubernetes.io, profile.node.kubernetes.io and their sub-domains.
 */
export const isAllowedNamespace = (ns: string): boolean => {
  const allowedBase = ['feature.node.kubernetes.io', 'profile.node.kubernetes.io']
  if (allowedBase.some((b) => ns === b || ns.endsWith('.' + b))) return true
  return !(ns === 'kubernetes.io' || ns.endsWith('.kubernetes.io'))
}

export type KeyProblem = 'no-namespace' | 'bad-namespace' | 'denied-namespace' | 'bad-name'

/** Check a full key `<namespace>/<name>`; undefined when NFD would accept it as a label key. */
export const labelKeyProblem = (key: string): KeyProblem | undefined => {
  const slash = key.indexOf('/')
  // virtcheck always prefixes: an unprefixed name would be auto-prefixed today and not after DisableAutoPrefix.
  if (slash < 0) return 'no-namespace'
  const ns = key.slice(0, slash)
  const name = key.slice(slash + 1)
  if (!isDnsSubdomain(ns)) return 'bad-namespace'
  if (!isAllowedNamespace(ns)) return 'denied-namespace'
  if (!isValidLabelName(name)) return 'bad-name'
  return undefined
}

export const isValidLabel = (key: string, value: string): boolean => labelKeyProblem(key) === undefined && isValidLabelValue(value)
