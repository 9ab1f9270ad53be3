/**
 * `ensureGuestKernel`: make a guest kernel available in virtcheck's cache without changing the host's
 * configuration. `apt-get download` fetches Debian's kernel package (the meta package resolved to its
 * versioned name) into a temp folder, `dpkg -x` unpacks it into `<cache>/kernels/<release>/`, the
 * uncompressed vmlinux is extracted for fast PVH boots and `depmod -b` indexes the modules so the
 * guest's busybox modprobe works. Nothing is installed into the host's /boot or /lib/modules.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { kernelsDir } from './cache-paths.js'
import { extractVmlinux } from './kernel-extract.js'
import { findGuestKernel, type GuestKernel } from './kernel-find.js'
import { flavourOfRelease, parseMetaDependency, releaseOfPackage, type KernelManifest } from './kernel-facts.js'

export interface EnsureKernelOptions {
  /** `generic` (linux-image-amd64: virtio + e1000 + AHCI + IDE) or `cloud` (no e1000/AHCI). @default generic */
  readonly flavour?: 'generic' | 'cloud'
  readonly env?: NodeJS.ProcessEnv
  readonly log?: (line: string) => void
  readonly signal?: AbortSignal
}

export type EnsureKernelResult =
  (GuestKernel & { readonly downloaded: boolean }) | { readonly kind: 'failed'; readonly reason: string; readonly tried: readonly string[] }

const META: Record<'generic' | 'cloud', string> = { generic: 'linux-image-amd64', cloud: 'linux-image-cloud-amd64' }

const run = async (argv: readonly string[], opts: { cwd?: string; timeoutMs: number; signal?: AbortSignal }) => {
  const [file, ...args] = argv
  const r = await execa(file!, args, {
    reject: false,
    timeout: opts.timeoutMs,
    all: true,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  })
  return { ok: r.exitCode === 0, out: String(r.all ?? ''), why: r.failed ? (r.shortMessage ?? `exit ${r.exitCode}`) : '' }
}

export const ensureGuestKernel = async (opts: EnsureKernelOptions = {}): Promise<EnsureKernelResult> => {
  const flavour = opts.flavour ?? 'generic'
  const env = opts.env ?? process.env
  if (process.arch !== 'x64')
    return {
      kind: 'failed',
      reason: `automatic guest kernel download supports x86_64 hosts only (this is ${process.arch}); pass --kernel PATH`,
      tried: [],
    }
  const existing = await findGuestKernel({ arch: 'x86_64', flavour, env, useHost: false })
  if (existing.kind === 'found' && existing.flavour === flavour) return { ...existing, downloaded: false }

  const log = opts.log ?? (() => undefined)
  const meta = META[flavour]
  const deps = await run(['apt-cache', 'depends', meta], { timeoutMs: 30_000, ...(opts.signal ? { signal: opts.signal } : {}) })
  const pkg = deps.ok ? parseMetaDependency(deps.out) : undefined
  if (!pkg)
    return {
      kind: 'failed',
      reason: `cannot resolve ${meta} to a kernel package: ${deps.why || deps.out.trim().slice(0, 200)}`,
      tried: [`apt-cache depends ${meta}`],
    }
  const release = releaseOfPackage(pkg)
  if (!release) return { kind: 'failed', reason: `unexpected kernel package name ${pkg}`, tried: [pkg] }

  const tmp = await mkdtemp(join(tmpdir(), 'virtcheck-kernel-'))
  const entry = join(kernelsDir(env), release)
  try {
    log(`guest kernel: apt-get download ${pkg}`)
    const dl = await run(['apt-get', 'download', pkg], { cwd: tmp, timeoutMs: 600_000, ...(opts.signal ? { signal: opts.signal } : {}) })
    const deb = (await readdir(tmp)).find((f) => f.endsWith('.deb'))
    if (!dl.ok || !deb)
      return {
        kind: 'failed',
        reason: `apt-get download ${pkg} failed: ${dl.why} ${dl.out.trim().split('\n').slice(-3).join(' | ')}`,
        tried: [pkg],
      }
    await rm(entry, { recursive: true, force: true })
    await mkdir(entry, { recursive: true })
    log(`guest kernel: dpkg -x ${deb} -> ${entry}`)
    const x = await run(['dpkg', '-x', join(tmp, deb), entry], { timeoutMs: 600_000, ...(opts.signal ? { signal: opts.signal } : {}) })
    if (!x.ok) return { kind: 'failed', reason: `dpkg -x ${deb} failed: ${x.why} ${x.out.trim().slice(-300)}`, tried: [pkg] }
    const vmlinuz = `boot/vmlinuz-${release}`
    const ex = await extractVmlinux(join(entry, vmlinuz), join(entry, 'vmlinux'))
    if (ex.kind === 'failed') log(`guest kernel: could not extract vmlinux (${ex.reason}); the compressed bzImage will be booted`)
    const modulesDir = (await dirExists(join(entry, 'lib/modules', release)))
      ? `lib/modules/${release}`
      : (await dirExists(join(entry, 'usr/lib/modules', release)))
        ? `usr/lib/modules/${release}`
        : undefined
    if (modulesDir) {
      const d = await run(['depmod', '-b', join(entry, modulesDir.startsWith('usr/') ? 'usr' : '.'), release], { timeoutMs: 120_000 })
      if (!d.ok) log(`guest kernel: depmod -b failed (${d.why}); modules will be loaded by path`)
    }
    const manifest: KernelManifest = {
      release,
      flavour: flavourOfRelease(release),
      arch: 'x86_64',
      package: pkg,
      packageVersion: /_([^_]+)_/.exec(deb)?.[1] ?? 'unknown',
      vmlinuz,
      ...(ex.kind === 'ok' ? { vmlinux: 'vmlinux', compression: ex.compression } : {}),
      ...(modulesDir ? { modulesDir } : {}),
      installedAt: new Date().toISOString(),
    }
    await writeFile(join(entry, 'virtcheck-kernel.json'), JSON.stringify(manifest, null, 2) + '\n')
    const found = await findGuestKernel({ arch: 'x86_64', flavour, env, useHost: false })
    if (found.kind !== 'found')
      return { kind: 'failed', reason: `kernel unpacked to ${entry} but not found afterwards`, tried: found.tried }
    return { ...found, downloaded: true }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

const dirExists = async (p: string): Promise<boolean> => {
  try {
    await readdir(p)
    return true
  } catch {
    return false
  }
}
