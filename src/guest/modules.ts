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
    const deps = line.slice(colon + 1).trim().split(/\s+/).filter(Boolean)
    m.set(path, deps)
  }
  return m
}

/** `kernel/drivers/net/virtio_net.ko.xz` -> `virtio_net`; dashes and underscores are the same to the kernel. */
export const moduleName = (path: string): string => (path.split('/').pop() ?? path).replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_')

export type ModuleClosure =
  | { readonly kind: 'ok'; readonly order: readonly string[] }
  | { readonly kind: 'missing'; readonly names: readonly string[] }

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
