/**
 * Build (or reuse) a guest initramfs: busybox-static, vcwork, the kernel modules the chosen devices
 * need (with their dependency closure, in load order), /init, and /dev/console. Uncompressed newc:
 * under TCG the guest kernel's own gunzip is slower than reading a few more MB. Cached by content
 * hash under `<cache>/initramfs/`; a second build with the same inputs touches nothing.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { initramfsDir } from './cache-paths.js'
import { encodeCpio, type CpioEntry } from './cpio.js'
import { renderInitScript } from './init-script.js'
import { initramfsFileName, initramfsKey, sha256 } from './initramfs-key.js'
import { moduleClosure, parseModulesDep } from './modules.js'

export interface InitramfsSpec {
  /** Static busybox for the guest architecture. */
  readonly busyboxPath: string
  /** Static vcwork for the guest architecture; omitted for a boot-only image. */
  readonly vcworkPath?: string
  /** The guest kernel's /lib/modules/<release> (needs modules.dep); required when modules are named. */
  readonly modulesDir?: string
  /** Module names the devices need (e.g. virtio_pci, virtio_blk); dependencies are added. */
  readonly modules: readonly string[]
  readonly env?: NodeJS.ProcessEnv
}

export type InitramfsResult =
  | { readonly kind: 'ok'; readonly path: string; readonly key: string; readonly cached: boolean; readonly bytes: number; readonly moduleOrder: readonly string[] }
  | { readonly kind: 'failed'; readonly reason: string }

const DIRS = ['bin', 'dev', 'etc', 'etc/virtcheck', 'lib', 'lib/modules', 'proc', 'sys', 'tmp', 'sbin']

export const buildInitramfs = async (spec: InitramfsSpec): Promise<InitramfsResult> => {
  let moduleOrder: readonly string[] = []
  if (spec.modules.length > 0) {
    if (!spec.modulesDir) return { kind: 'failed', reason: `the guest kernel has no modules folder, but the devices need ${spec.modules.join(', ')}` }
    const depText = await readFile(join(spec.modulesDir, 'modules.dep'), 'utf8').catch(() => undefined)
    if (depText === undefined) return { kind: 'failed', reason: `${spec.modulesDir}/modules.dep is missing (run depmod -b)` }
    const closure = moduleClosure(parseModulesDep(depText), spec.modules)
    if (closure.kind === 'missing')
      return { kind: 'failed', reason: `the guest kernel lacks module(s) ${closure.names.join(', ')} (the Debian cloud kernel has no e1000/AHCI; use the generic kernel)` }
    moduleOrder = closure.order
  }
  const initScript = renderInitScript({ agent: spec.vcworkPath !== undefined })
  const files: { path: string; data: Uint8Array; mode: number }[] = []
  const add = async (path: string, from: string, mode: number): Promise<string | undefined> => {
    const data = await readFile(from).catch(() => undefined)
    if (!data) return `${from} is not readable`
    files.push({ path, data, mode })
    return undefined
  }
  const problems = [
    await add('bin/busybox', spec.busyboxPath, 0o755),
    spec.vcworkPath ? await add('bin/vcwork', spec.vcworkPath, 0o755) : undefined,
    ...(await Promise.all(moduleOrder.map((m) => add(`lib/modules/${m}`, join(spec.modulesDir!, m), 0o644)))),
  ].filter((p): p is string => p !== undefined)
  if (problems.length) return { kind: 'failed', reason: problems.join('; ') }

  const key = initramfsKey({ files: Object.fromEntries(files.map((f) => [f.path, sha256(f.data)])), initScript, moduleOrder })
  const dir = initramfsDir(spec.env)
  const path = join(dir, initramfsFileName(key))
  const existing = await stat(path).catch(() => undefined)
  if (existing?.isFile()) return { kind: 'ok', path, key, cached: true, bytes: existing.size, moduleOrder }

  const dirs = new Set(DIRS)
  for (const m of moduleOrder) {
    const parts = `lib/modules/${m}`.split('/')
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  const entries: CpioEntry[] = [
    ...[...dirs].sort().map((d): CpioEntry => ({ kind: 'dir', path: d, mode: d === 'tmp' ? 0o1777 : 0o755 })),
    { kind: 'char', path: 'dev/console', major: 5, minor: 1, mode: 0o600 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'symlink', path: 'sbin/modprobe', target: '/bin/busybox' },
    ...files.map((f): CpioEntry => ({ kind: 'file', path: f.path, data: f.data, mode: f.mode })),
    { kind: 'file', path: 'etc/virtcheck/modules', data: new TextEncoder().encode(moduleOrder.join('\n') + '\n') },
    { kind: 'file', path: 'init', data: new TextEncoder().encode(initScript), mode: 0o755 },
  ]
  const chunks = encodeCpio(entries)
  await mkdir(dir, { recursive: true })
  const tmp = `${path}.tmp.${process.pid}`
  await writeFile(tmp, chunks)
  await rename(tmp, path)
  const bytes = chunks.reduce((n, c) => n + c.length, 0)
  return { kind: 'ok', path, key, cached: false, bytes, moduleOrder }
}
