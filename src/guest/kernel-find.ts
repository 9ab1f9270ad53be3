/**
 * `findGuestKernel`: which kernel a guest boots, and from where. Order: `--kernel PATH` (explicit),
 * the host's own `/boot/vmlinuz-$(uname -r)` with `/lib/modules/$(uname -r)` when both are readable
 * (host), then virtcheck's cache filled by `virtcheck setup` (cache). The answer always says which
 * was used, so a result can name its kernel.
 */
import { INPUT_LIMITS, readInputBytes } from '../io/input-file.js'
import { access, readdir, readFile, stat } from 'node:fs/promises'
import { constants } from 'node:fs'
import { release as osRelease } from 'node:os'
import { dirname, join } from 'node:path'
import { UsageError } from '../core/errors.js'
import { kernelsDir } from './cache-paths.js'
import {
  bannerRelease,
  bzImageVersionString,
  flavourOfRelease,
  isKernelManifest,
  pickCachedKernel,
  releaseFromVersionString,
  type KernelManifest,
  type KernelSource,
} from './kernel-facts.js'

export interface GuestKernel {
  readonly kind: 'found'
  /** What QEMU boots: the uncompressed vmlinux when available (PVH), else the bzImage. */
  readonly path: string
  readonly source: KernelSource
  readonly flavour: string
  readonly release: string
  /** `/lib/modules/<release>` of this kernel, when its modules are available. */
  readonly modulesDir?: string
  /** The compressed image the vmlinux came from. */
  readonly imagePath?: string
}

export type FindKernelResult = GuestKernel | { readonly kind: 'none'; readonly tried: readonly string[] }

export interface FindKernelOptions {
  readonly explicitPath?: string
  /** Modules for an explicit kernel (its /lib/modules/<release> folder). */
  readonly explicitModulesDir?: string
  /** Guest architecture (uname -m spelling). @default x86_64 */
  readonly arch?: string
  /** Preferred flavour among cached kernels. @default generic */
  readonly flavour?: string
  /** Consider the host's own kernel. @default true */
  readonly useHost?: boolean
  readonly env?: NodeJS.ProcessEnv
}

const readable = async (p: string): Promise<boolean> => {
  try {
    await access(p, constants.R_OK)
    return true
  } catch {
    return false
  }
}

export const findGuestKernel = async (opts: FindKernelOptions = {}): Promise<FindKernelResult> => {
  const arch = opts.arch ?? 'x86_64'
  const tried: string[] = []
  if (opts.explicitPath !== undefined) {
    const p = opts.explicitPath
    if (!(await readable(p))) throw new UsageError(`--kernel ${p}: not a readable file`)
    const image = await readInputBytes(p, { name: `--kernel ${p}`, what: 'guest kernel', maxBytes: INPUT_LIMITS.kernel })
    // A bzImage names its release in the header; an uncompressed vmlinux (ELF) only in its banner.
    const release = releaseFromVersionString(bzImageVersionString(image.subarray(0, 64 * 1024)) ?? '') ?? bannerRelease(image) ?? 'unknown'
    if (opts.explicitModulesDir !== undefined && !(await readable(opts.explicitModulesDir)))
      throw new UsageError(`kernel modules folder ${opts.explicitModulesDir} is not readable`)
    // Modules next to the image (an unpacked package: <root>/boot/vmlinuz-R + <root>/lib/modules/R, or
    // virtcheck's cache: <root>/vmlinux + <root>/lib/modules/R), then the host's.
    const roots = [dirname(dirname(p)), dirname(p)]
    const candidates =
      release === 'unknown'
        ? []
        : [...roots.flatMap((r) => [join(r, 'lib/modules', release), join(r, 'usr/lib/modules', release)]), `/lib/modules/${release}`]
    let modulesDir = opts.explicitModulesDir
    for (const c of candidates) if (modulesDir === undefined && (await readable(join(c, 'modules.dep')))) modulesDir = c
    return {
      kind: 'found',
      path: p,
      source: 'explicit',
      flavour: flavourOfRelease(release),
      release,
      ...(modulesDir ? { modulesDir } : {}),
    }
  }

  const hostArch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch
  if ((opts.useHost ?? true) && arch === hostArch) {
    const rel = osRelease()
    const image = `/boot/vmlinuz-${rel}`
    const mods = `/lib/modules/${rel}`
    tried.push(`${image} + ${mods} (host kernel)`)
    if ((await readable(image)) && (await readable(join(mods, 'modules.dep'))))
      return {
        kind: 'found',
        path: image,
        source: 'host',
        flavour: flavourOfRelease(rel),
        release: rel,
        modulesDir: mods,
        imagePath: image,
      }
  }

  const root = kernelsDir(opts.env)
  tried.push(`${root}/*/virtcheck-kernel.json (virtcheck setup cache)`)
  const entries: { dir: string; manifest: KernelManifest }[] = []
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const dir = join(root, name)
    const raw = await readFile(join(dir, 'virtcheck-kernel.json'), 'utf8').catch(() => undefined)
    if (raw === undefined) continue
    try {
      const m: unknown = JSON.parse(raw)
      if (isKernelManifest(m) && (await stat(join(dir, m.vmlinux ?? m.vmlinuz)).catch(() => undefined))) entries.push({ dir, manifest: m })
    } catch {
      // a corrupt manifest is an incomplete entry; setup rewrites it
    }
  }
  const best = pickCachedKernel(entries, { arch, flavour: opts.flavour ?? 'generic' })
  if (!best) return { kind: 'none', tried }
  const m = best.manifest
  return {
    kind: 'found',
    path: join(best.dir, m.vmlinux ?? m.vmlinuz),
    source: 'cache',
    flavour: m.flavour,
    release: m.release,
    imagePath: join(best.dir, m.vmlinuz),
    ...(m.modulesDir ? { modulesDir: join(best.dir, m.modulesDir) } : {}),
  }
}
