/**
 * Build (or reuse) a guest initramfs: busybox-static, vcwork, the kernel modules the chosen devices
 * need (with their dependency closure, in load order), /init, and /dev/console. Uncompressed newc:
 * under TCG the guest kernel's own gunzip is slower than reading a few more MB. Cached by content
 * hash under `<cache>/initramfs/`; a second build with the same inputs touches nothing.
 */
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { initramfsDir } from './cache-paths.js'
import { encodeCpio, type CpioEntry } from './cpio.js'
import { INIT_APPLETS, renderInitScript } from './init-script.js'
import { initramfsFileName, initramfsKey, sha256 } from './initramfs-key.js'
import { groupedLoadOrder, parseModulesDep, stripModuleSignature } from './modules.js'
import { decompressorArgv, type KernelCompression } from './kernel-payload.js'
import { execa } from 'execa'

export interface InitramfsSpec {
  /** Static busybox for the guest architecture. */
  readonly busyboxPath: string
  /** Static vcwork for the guest architecture; omitted for a boot-only image. */
  readonly vcworkPath?: string
  /** The guest kernel's /lib/modules/<release> (needs modules.dep); required when modules are named. */
  readonly modulesDir?: string
  /** Module names the devices need (e.g. virtio_pci, virtio_blk); dependencies are added. */
  readonly modules: readonly string[]
  /**
   * Optional split of `modules` into independent device groups (e.g. disk, NIC) that the guest loads
   * in parallel after their shared dependencies. Default: one group.
   */
  readonly moduleGroups?: readonly (readonly string[])[]
  /** Keep the modules' appended signatures (verified at insmod, slow under TCG). @default false */
  readonly keepModuleSignatures?: boolean
  readonly env?: NodeJS.ProcessEnv
}

export type InitramfsResult =
  | {
      readonly kind: 'ok'
      readonly path: string
      readonly key: string
      readonly cached: boolean
      readonly bytes: number
      readonly moduleOrder: readonly string[]
    }
  | { readonly kind: 'failed'; readonly reason: string }

const DIRS = ['bin', 'dev', 'etc', 'etc/virtcheck', 'lib', 'lib/modules', 'proc', 'sys', 'tmp', 'sbin']

export const buildInitramfs = async (spec: InitramfsSpec): Promise<InitramfsResult> => {
  let moduleOrder: readonly string[] = []
  let moduleLines: string[] = []
  if (spec.modules.length > 0) {
    if (!spec.modulesDir)
      return { kind: 'failed', reason: `the guest kernel has no modules folder, but the devices need ${spec.modules.join(', ')}` }
    const depText = await readFile(join(spec.modulesDir, 'modules.dep'), 'utf8').catch(() => undefined)
    if (depText === undefined) return { kind: 'failed', reason: `${spec.modulesDir}/modules.dep is missing (run depmod -b)` }
    const plan = groupedLoadOrder(parseModulesDep(depText), spec.moduleGroups ?? [spec.modules])
    if (plan.kind === 'missing')
      return {
        kind: 'failed',
        reason: `the guest kernel lacks module(s) ${plan.names.join(', ')} (the Debian cloud kernel has no e1000/AHCI; use the generic kernel)`,
      }
    // "<group> <path>" lines: group 0 loads first, the others in parallel (see init-script.ts).
    moduleLines = [
      ...plan.order.common.map((m) => `0 ${inArchive(m)}`),
      ...plan.order.groups.flatMap((g, i) => g.map((m) => `${i + 1} ${inArchive(m)}`)),
    ]
    moduleOrder = [...plan.order.common, ...plan.order.groups.flat()]
  }
  const initScript = renderInitScript({ agent: spec.vcworkPath !== undefined })
  // Inputs are hashed from their source files (memoized by size + mtime, so a cache hit reads
  // nothing); contents are read only when an image has to be written.
  const strip = spec.keepModuleSignatures ? undefined : stripModuleSignature
  const inputs: Input[] = [
    { path: 'bin/busybox', from: spec.busyboxPath, mode: 0o755 },
    ...(spec.vcworkPath ? [{ path: 'bin/vcwork', from: spec.vcworkPath, mode: 0o755 }] : []),
    ...moduleOrder.map((m): Input => ({
      path: `lib/modules/${inArchive(m)}`,
      from: join(spec.modulesDir!, m),
      mode: 0o644,
      transform: moduleTransform(m, strip),
    })),
  ]
  const hashes = await Promise.all(inputs.map((i) => sourceHash(i.from)))
  const problems = inputs.filter((_, k) => hashes[k] === undefined).map((i) => `${i.from} is not readable`)
  if (problems.length) return { kind: 'failed', reason: problems.join('; ') }
  const key = initramfsKey({
    files: Object.fromEntries(inputs.map((i, k) => [i.path, `${hashes[k]}${i.transform ? (strip ? '+unsigned' : '+plain') : ''}`])),
    initScript,
    moduleOrder: moduleLines,
  })
  const dir = initramfsDir(spec.env)
  const path = join(dir, initramfsFileName(key))
  const existing = await stat(path).catch(() => undefined)
  if (existing?.isFile()) {
    const now = new Date()
    await utimes(path, now, now).catch(() => undefined) // mark as used, for pruning
    return { kind: 'ok', path, key, cached: true, bytes: existing.size, moduleOrder }
  }

  let contents: CpioEntry[]
  try {
    contents = await Promise.all(
      inputs.map(async (i): Promise<CpioEntry> => {
        const data = await readFile(i.from)
        return { kind: 'file', path: i.path, data: i.transform ? await i.transform(data) : data, mode: i.mode }
      }),
    )
  } catch (e) {
    return { kind: 'failed', reason: e instanceof Error ? e.message : String(e) }
  }
  const dirs = new Set(DIRS)
  for (const m of moduleOrder) {
    const parts = `lib/modules/${inArchive(m)}`.split('/')
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  const entries: CpioEntry[] = [
    ...[...dirs].sort().map((d): CpioEntry => ({ kind: 'dir', path: d, mode: d === 'tmp' ? 0o1777 : 0o755 })),
    { kind: 'char', path: 'dev/console', major: 5, minor: 1, mode: 0o600 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    ...INIT_APPLETS.map((a): CpioEntry => ({ kind: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { kind: 'symlink', path: 'sbin/modprobe', target: '/bin/busybox' },
    ...contents,
    { kind: 'file', path: 'etc/virtcheck/modules', data: new TextEncoder().encode(moduleLines.map((l) => l + '\n').join('')) },
    { kind: 'file', path: 'init', data: new TextEncoder().encode(initScript), mode: 0o755 },
  ]
  const chunks = encodeCpio(entries)
  await mkdir(dir, { recursive: true })
  const tmp = `${path}.tmp.${process.pid}`
  await writeFile(tmp, chunks)
  await rename(tmp, path)
  await pruneImages(dir, path)
  const bytes = chunks.reduce((n, c) => n + c.length, 0)
  return { kind: 'ok', path, key, cached: false, bytes, moduleOrder }
}

interface Input {
  readonly path: string
  readonly from: string
  readonly mode: number
  readonly transform?: ((d: Uint8Array) => Promise<Uint8Array> | Uint8Array) | undefined
}

const COMPRESSED_MODULE = /\.ko\.(xz|zst|gz)$/
const DECOMPRESS: Record<string, KernelCompression> = { xz: 'xz', zst: 'zstd', gz: 'gzip' }

/** Modules are stored uncompressed: busybox insmod hands the file to init_module as is. */
const inArchive = (m: string): string => m.replace(COMPRESSED_MODULE, '.ko')

/** Decompress (host kernels often ship .ko.xz / .ko.zst), then drop the signature unless kept. */
const moduleTransform = (m: string, strip: ((d: Uint8Array) => Uint8Array) | undefined): Input['transform'] => {
  const c = COMPRESSED_MODULE.exec(m)?.[1]
  if (!c) return strip
  return async (data) => {
    const [file, ...args] = decompressorArgv(DECOMPRESS[c]!)
    const r = await execa(file!, args, { input: data, encoding: 'buffer', reject: false, timeout: 60_000 })
    if (r.exitCode !== 0) throw new Error(`cannot decompress module ${m} with ${file}: exit ${r.exitCode ?? '?'}`)
    const plain = new Uint8Array(r.stdout)
    return strip ? strip(plain) : plain
  }
}

const hashMemo = new Map<string, string>()

/** sha256 of a file, remembered by path + size + mtime for this process; undefined when unreadable. */
const sourceHash = async (from: string): Promise<string | undefined> => {
  const st = await stat(from).catch(() => undefined)
  if (!st?.isFile()) return undefined
  const memoKey = `${from}\0${st.size}\0${st.mtimeMs}`
  const known = hashMemo.get(memoKey)
  if (known) return known
  const data = await readFile(from).catch(() => undefined)
  if (!data) return undefined
  const h = sha256(data)
  hashMemo.set(memoKey, h)
  return h
}

/** Images unused for this long are removed when a new one is written (QEMU reads an image only at start). */
const PRUNE_AFTER_MS = 7 * 24 * 3600 * 1000

const pruneImages = async (dir: string, keep: string): Promise<void> => {
  const now = Date.now()
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    const p = join(dir, f)
    if (p === keep || !f.endsWith('.cpio')) continue
    const st = await stat(p).catch(() => undefined)
    if (st && now - st.mtimeMs > PRUNE_AFTER_MS) await rm(p, { force: true })
  }
}
