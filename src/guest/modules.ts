/**
 * Pure: which kernel module files a guest needs, in load order. modules.dep (written by `depmod -b`)
 * lists each module's full dependency set; a depth-first walk gives an order where every module
 * comes after what it needs, so the guest's init can `insmod` them one by one (no modprobe, no
 * module index needed in the guest).
 */

export type ModulesDep = ReadonlyMap<string, readonly string[]>

export const parseModulesDep = (text: string): ModulesDep => {
  const m = new Map<string, readonly string[]>()
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const path = line.slice(0, colon).trim()
    const deps = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter(Boolean)
    m.set(path, deps)
  }
  return m
}

/** `kernel/drivers/net/virtio_net.ko.xz` -> `virtio_net`; dashes and underscores are the same to the kernel. */
export const moduleName = (path: string): string => (path.split('/').pop() ?? path).replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_')

export type ModuleClosure =
  { readonly kind: 'ok'; readonly order: readonly string[] } | { readonly kind: 'missing'; readonly names: readonly string[] }

/** Module paths for `names` and everything they depend on, dependencies first. */
export const moduleClosure = (dep: ModulesDep, names: readonly string[]): ModuleClosure => {
  const byName = new Map<string, string>()
  for (const path of dep.keys()) byName.set(moduleName(path), path)
  const missing = names.filter((n) => !byName.has(n.replace(/-/g, '_')))
  if (missing.length) return { kind: 'missing', names: missing }
  const order: string[] = []
  const seen = new Set<string>()
  const visit = (path: string, stack: Set<string>) => {
    if (seen.has(path) || stack.has(path)) return
    stack.add(path)
    for (const d of dep.get(path) ?? []) visit(d, stack)
    stack.delete(path)
    seen.add(path)
    order.push(path)
  }
  for (const n of names) visit(byName.get(n.replace(/-/g, '_'))!, new Set())
  return { kind: 'ok', order }
}

export interface GroupedOrder {
  /** Dependencies shared by several groups: loaded first, one by one. */
  readonly common: readonly string[]
  /** Per group, what it needs beyond `common`, in load order; groups load in parallel. */
  readonly groups: readonly (readonly string[])[]
}

/**
 * Load plan for independent devices (disk, NIC): their drivers probe slowly under TCG (AHCI link
 * reset ~0.35 s, e1000 EEPROM ~0.3 s), so the guest loads each device's modules in parallel once
 * the shared dependencies are in.
 */
export const groupedLoadOrder = (
  dep: ModulesDep,
  groups: readonly (readonly string[])[],
): { kind: 'ok'; order: GroupedOrder } | { kind: 'missing'; names: readonly string[] } => {
  const closures: (readonly string[])[] = []
  for (const g of groups) {
    const c = moduleClosure(dep, g)
    if (c.kind === 'missing') return c
    closures.push(c.order)
  }
  const count = new Map<string, number>()
  for (const c of closures) for (const m of c) count.set(m, (count.get(m) ?? 0) + 1)
  const shared = new Set([...count].filter(([, n]) => n > 1).map(([m]) => m))
  // Keep the shared modules in a valid order: dependencies of shared modules are shared too.
  const common = moduleClosure(dep, [...shared].map(moduleName))
  const commonOrder = common.kind === 'ok' ? common.order : []
  const inCommon = new Set(commonOrder)
  return {
    kind: 'ok',
    order: { common: commonOrder, groups: closures.map((c) => c.filter((m) => !inCommon.has(m))).filter((c) => c.length > 0) },
  }
}

const SIG_MAGIC = '~Module signature appended~\n'

/**
 * Pure: a module file without its appended signature (struct module_signature, 12 bytes with the
 * big-endian signature length last, then the magic). Unsigned modules are loaded without the RSA/SHA
 * verification, which costs tens of milliseconds per module under TCG; the guest kernel (no
 * secure-boot lockdown, sig_enforce off) loads them and marks itself tainted ('E'), which does not
 * change how it runs the workloads. Returns the input unchanged when it carries no signature.
 */
export const stripModuleSignature = (data: Uint8Array): Uint8Array => {
  const magic = new TextEncoder().encode(SIG_MAGIC)
  const end = data.length - magic.length
  if (end < 12) return data
  for (let i = 0; i < magic.length; i++) if (data[end + i] !== magic[i]) return data
  const sigLen = ((data[end - 4]! << 24) | (data[end - 3]! << 16) | (data[end - 2]! << 8) | data[end - 1]!) >>> 0
  const start = end - 12 - sigLen
  return start > 0 ? data.subarray(0, start) : data
}
