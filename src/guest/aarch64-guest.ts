/**
 * The arm64 guest for `emu-aarch64` mode=system: Debian's arm64 kernel (cloud flavour by default:
 * virtio_mmio/virtio_blk/virtio_net/virtio_console as modules, PL011 console built in) and
 * busybox-static:arm64, fetched with a private apt state (see aarch64-facts.ts; the host's dpkg
 * architectures, package lists and status are untouched), unpacked with `dpkg -x` into
 * `<cache>/aarch64/`, the gzip Image decompressed once, modules indexed with `depmod -b`, and a
 * manifest written last. Nothing is installed into the host.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createReadStream, createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { flavourOfRelease, parseMetaDependency, releaseOfPackage } from './kernel-facts.js'
import {
  AARCH64_KERNEL_META,
  AARCH64_MANIFEST,
  aarch64CacheDir,
  debVersion,
  isArm64Image,
  isGzip,
  isAarch64Manifest,
  privateAptOptions,
  type Aarch64Flavour,
  type Aarch64Manifest,
} from './aarch64-facts.js'

export interface Aarch64Guest {
  readonly kind: 'found'
  /** Uncompressed arm64 Image for `-kernel`. */
  readonly kernelPath: string
  readonly vmlinuzPath: string
  readonly release: string
  readonly flavour: string
  /** The kernel's lib/modules/<release> (with modules.dep). */
  readonly modulesDir: string
  /** Static arm64 busybox. */
  readonly busyboxPath: string
  readonly source: 'cache'
  readonly manifest: Aarch64Manifest
}

export type FindAarch64Result = Aarch64Guest | { readonly kind: 'none'; readonly tried: readonly string[] }

export interface EnsureAarch64Options {
  /** @default cloud */
  readonly flavour?: Aarch64Flavour
  readonly env?: NodeJS.ProcessEnv
  readonly log?: (line: string) => void
  readonly signal?: AbortSignal
}

export type EnsureAarch64Result = (Aarch64Guest & { readonly downloaded: boolean }) | { readonly kind: 'failed'; readonly reason: string }

const exists = async (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  )

export const findAarch64Guest = async (opts: { readonly env?: NodeJS.ProcessEnv } = {}): Promise<FindAarch64Result> => {
  const root = aarch64CacheDir(opts.env)
  const manifestPath = join(root, AARCH64_MANIFEST)
  const tried = [`${manifestPath} (virtcheck setup --with aarch64-kernel)`]
  const raw = await readFile(manifestPath, 'utf8').catch(() => undefined)
  if (raw === undefined) return { kind: 'none', tried }
  let m: unknown
  try {
    m = JSON.parse(raw)
  } catch {
    return { kind: 'none', tried }
  }
  if (!isAarch64Manifest(m)) return { kind: 'none', tried }
  const g: Aarch64Guest = {
    kind: 'found',
    kernelPath: join(root, m.image),
    vmlinuzPath: join(root, m.vmlinuz),
    release: m.release,
    flavour: m.flavour,
    modulesDir: join(root, m.modulesDir),
    busyboxPath: join(root, m.busybox),
    source: 'cache',
    manifest: m,
  }
  for (const p of [g.kernelPath, join(g.modulesDir, 'modules.dep'), g.busyboxPath])
    if (!(await exists(p))) return { kind: 'none', tried: [...tried, `${p} is missing`] }
  return g
}

const run = async (argv: readonly string[], o: { cwd?: string; timeoutMs: number; signal?: AbortSignal | undefined }) => {
  const [file, ...args] = argv
  const r = await execa(file!, args, {
    reject: false,
    timeout: o.timeoutMs,
    all: true,
    env: { DEBIAN_FRONTEND: 'noninteractive' },
    ...(o.cwd ? { cwd: o.cwd } : {}),
    ...(o.signal ? { cancelSignal: o.signal } : {}),
  })
  const out = String(r.all ?? '')
  return {
    ok: r.exitCode === 0,
    out,
    why: r.failed
      ? `${argv.slice(0, 2).join(' ')}: ${r.shortMessage ?? `exit ${r.exitCode}`} ${out.trim().split('\n').slice(-3).join(' | ')}`
      : '',
  }
}

export const ensureAarch64Guest = async (opts: EnsureAarch64Options = {}): Promise<EnsureAarch64Result> => {
  const env = opts.env ?? process.env
  const flavour = opts.flavour ?? 'cloud'
  const log = opts.log ?? (() => undefined)
  const existing = await findAarch64Guest({ env })
  if (existing.kind === 'found' && existing.flavour === flavour) return { ...existing, downloaded: false }

  const root = aarch64CacheDir(env)
  const aptDir = join(root, 'apt')
  await mkdir(join(aptDir, 'lists', 'partial'), { recursive: true })
  await mkdir(join(aptDir, 'cache', 'archives', 'partial'), { recursive: true })
  const apt = privateAptOptions(aptDir)
  log(`aarch64 guest: apt-get update (private arm64 state in ${aptDir})`)
  const up = await run(['apt-get', ...apt, 'update'], { timeoutMs: 300_000, signal: opts.signal })
  if (!up.ok) return { kind: 'failed', reason: `private arm64 apt-get update failed: ${up.why}` }
  const meta = AARCH64_KERNEL_META[flavour]
  const deps = await run(['apt-cache', ...apt, 'depends', meta], { timeoutMs: 60_000, signal: opts.signal })
  const pkg = deps.ok ? parseMetaDependency(deps.out) : undefined
  if (!pkg)
    return { kind: 'failed', reason: `cannot resolve ${meta}:arm64 to a kernel package: ${deps.why || deps.out.trim().slice(0, 200)}` }
  const release = releaseOfPackage(pkg)
  if (!release) return { kind: 'failed', reason: `unexpected kernel package name ${pkg}` }

  const tmp = await mkdtemp(join(tmpdir(), 'virtcheck-aarch64-'))
  try {
    log(`aarch64 guest: apt-get download ${pkg}:arm64 busybox-static:arm64`)
    const dl = await run(['apt-get', ...apt, 'download', `${pkg}:arm64`, 'busybox-static:arm64'], {
      cwd: tmp,
      timeoutMs: 600_000,
      signal: opts.signal,
    })
    const debs = await readdir(tmp)
    const kdeb = debs.find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'))
    const bdeb = debs.find((f) => f.startsWith('busybox-static_') && f.endsWith('.deb'))
    if (!dl.ok || !kdeb || !bdeb)
      return {
        kind: 'failed',
        reason: `apt-get download ${pkg}:arm64 busybox-static:arm64 failed: ${dl.why || `got ${debs.join(', ') || 'nothing'}`}`,
      }

    const kernelRel = join('kernels', release)
    const kdir = join(root, kernelRel)
    await rm(join(root, AARCH64_MANIFEST), { force: true }) // incomplete until rewritten
    await rm(kdir, { recursive: true, force: true })
    await mkdir(kdir, { recursive: true })
    log(`aarch64 guest: dpkg -x ${kdeb} -> ${kdir}`)
    const xk = await run(['dpkg', '-x', join(tmp, kdeb), kdir], { timeoutMs: 600_000, signal: opts.signal })
    if (!xk.ok) return { kind: 'failed', reason: `dpkg -x ${kdeb} failed: ${xk.why}` }
    const vmlinuz = join(kernelRel, 'boot', `vmlinuz-${release}`)
    // Debian 12's arm64 vmlinuz is the plain Image (ARM64 magic at 0x38); a gzip one (Image.gz) is
    // decompressed once here rather than by QEMU on every boot.
    let image = vmlinuz
    const head = await readFile(join(root, vmlinuz)).then(
      (b) => b.subarray(0, 64),
      () => undefined,
    )
    if (!head) return { kind: 'failed', reason: `${pkg} has no boot/vmlinuz-${release}` }
    if (isGzip(head)) {
      image = join(kernelRel, 'Image')
      try {
        await pipeline(createReadStream(join(root, vmlinuz)), createGunzip(), createWriteStream(join(root, image)))
      } catch (e) {
        return { kind: 'failed', reason: `cannot gunzip ${join(root, vmlinuz)}: ${e instanceof Error ? e.message : String(e)}` }
      }
    } else if (!isArm64Image(head)) return { kind: 'failed', reason: `${join(root, vmlinuz)} is neither an arm64 Image nor gzip` }
    const modulesDir = (await exists(join(kdir, 'lib/modules', release)))
      ? join(kernelRel, 'lib/modules', release)
      : join(kernelRel, 'usr/lib/modules', release)
    if (!(await exists(join(root, modulesDir)))) return { kind: 'failed', reason: `${pkg} has no lib/modules/${release}` }
    const dm = await run(['depmod', '-b', join(kdir, modulesDir.includes('/usr/lib/') ? 'usr' : '.'), release], { timeoutMs: 120_000 })
    if (!dm.ok) return { kind: 'failed', reason: `depmod -b failed: ${dm.why} (install kmod)` }

    const bdir = join(root, 'busybox')
    await rm(bdir, { recursive: true, force: true })
    await mkdir(bdir, { recursive: true })
    const xb = await run(['dpkg', '-x', join(tmp, bdeb), bdir], { timeoutMs: 120_000, signal: opts.signal })
    if (!xb.ok) return { kind: 'failed', reason: `dpkg -x ${bdeb} failed: ${xb.why}` }
    const busybox = (await exists(join(bdir, 'bin/busybox'))) ? 'busybox/bin/busybox' : 'busybox/usr/bin/busybox'

    const manifest: Aarch64Manifest = {
      arch: 'aarch64',
      release,
      flavour: flavourOfRelease(release),
      kernelPackage: pkg,
      kernelPackageVersion: debVersion(kdeb),
      image,
      vmlinuz,
      modulesDir,
      busybox,
      busyboxPackageVersion: debVersion(bdeb),
      installedAt: new Date().toISOString(),
    }
    await writeFile(join(root, AARCH64_MANIFEST), JSON.stringify(manifest, null, 2) + '\n')
    const found = await findAarch64Guest({ env })
    if (found.kind !== 'found')
      return { kind: 'failed', reason: `arm64 guest unpacked to ${root} but incomplete: ${found.tried.join('; ')}` }
    return { ...found, downloaded: true }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}
