/**
 * Pure facts about guest kernels: flavour from the release string, the versioned Debian package a
 * meta package points at, the release embedded in a bzImage, and the cache manifest shape.
 */

/** `6.1.0-56-cloud-amd64` -> `cloud`, `6.1.0-56-amd64` -> `generic`, `6.1.0-56-cloud-arm64` -> `cloud`. */
export const flavourOfRelease = (release: string): string => {
  const m = /^\d+\.\d+[^-]*-\d+-(.+)$/.exec(release)
  if (!m) return 'unknown'
  const rest = m[1]!
  if (/^(amd64|arm64|armmp|686|686-pae)$/.test(rest)) return 'generic'
  return rest.replace(/-(amd64|arm64|686)$/, '')
}

/** `apt-cache depends linux-image-amd64` output -> `linux-image-6.1.0-56-amd64`. */
export const parseMetaDependency = (aptCacheDependsOutput: string): string | undefined =>
  /Depends:\s*(linux-image-\d[^\s<>]*)/.exec(aptCacheDependsOutput)?.[1]

/** `linux-image-6.1.0-56-amd64_6.1.192-2_amd64.deb` -> `6.1.0-56-amd64`. */
export const releaseOfPackage = (pkg: string): string | undefined => /^linux-image-(\d[^_]*)/.exec(pkg)?.[1]

/** The kernel_version string a bzImage points at (boot protocol 0x20e), e.g. `6.1.0-56-amd64 (debian-kernel@...) #1 SMP ...`. */
export const bzImageVersionString = (buf: Uint8Array): string | undefined => {
  if (buf.length < 0x210) return undefined
  const ptr = buf[0x20e]! | (buf[0x20f]! << 8)
  if (ptr === 0) return undefined
  const at = ptr + 0x200
  let end = at
  while (end < buf.length && end < at + 256 && buf[end] !== 0) end++
  const s = new TextDecoder('latin1').decode(buf.subarray(at, end))
  return s.length > 0 ? s : undefined
}

export const releaseFromVersionString = (s: string): string | undefined => /^(\S+)/.exec(s)?.[1]

/**
 * The release in the `Linux version R (builder) ...` banner of an uncompressed kernel (ELF vmlinux),
 * which has no bzImage header; the printf template `Linux version %s` is skipped.
 */
export const bannerRelease = (buf: Uint8Array): string | undefined => {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  const needle = Buffer.from('Linux version ')
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    const m = /^(\d+\.\d+[^\s%()]*) \(/.exec(text.subarray(at + needle.length, at + needle.length + 80).toString('latin1'))
    if (m) return m[1]
  }
  return undefined
}

export type KernelSource = 'host' | 'cache' | 'explicit'

/** Written last into `<cache>/kernels/<release>/virtcheck-kernel.json`; its presence marks a complete entry. */
export interface KernelManifest {
  readonly release: string
  readonly flavour: string
  readonly arch: string
  readonly package: string
  readonly packageVersion: string
  /** Relative to the entry folder. */
  readonly vmlinuz: string
  readonly vmlinux?: string
  readonly compression?: string
  readonly modulesDir?: string
  readonly installedAt: string
}

export const isKernelManifest = (v: unknown): v is KernelManifest => {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return (
    typeof o['release'] === 'string' &&
    typeof o['flavour'] === 'string' &&
    typeof o['arch'] === 'string' &&
    typeof o['vmlinuz'] === 'string'
  )
}

/**
 * Pick among cached kernels: wanted arch only; the wanted flavour first (the generic kernel carries
 * e1000 and AHCI, which the cloud kernel lacks), then the newest release.
 */
export const pickCachedKernel = <T extends { manifest: KernelManifest }>(
  entries: readonly T[],
  want: { arch: string; flavour?: string },
): T | undefined => {
  const ok = entries.filter((e) => e.manifest.arch === want.arch)
  const score = (e: T) => (want.flavour && e.manifest.flavour === want.flavour ? 1 : 0)
  return [...ok].sort((a, b) => score(b) - score(a) || compareReleases(b.manifest.release, a.manifest.release))[0]
}

export const compareReleases = (a: string, b: string): number => {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10))
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10))
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? -1
    const y = pb[i] ?? -1
    if (Number.isNaN(x) || Number.isNaN(y)) continue
    if (x !== y) return x - y
  }
  return 0
}
