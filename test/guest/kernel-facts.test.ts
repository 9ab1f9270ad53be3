import { describe, expect, it } from 'vitest'
import {
  bannerRelease,
  compareReleases,
  flavourOfRelease,
  parseMetaDependency,
  pickCachedKernel,
  releaseOfPackage,
  type KernelManifest,
} from '../../src/guest/kernel-facts.js'
import { guestCacheDir, initramfsDir, kernelsDir } from '../../src/guest/cache-paths.js'

const m = (release: string, flavour: string, arch = 'x86_64'): { manifest: KernelManifest } => ({
  manifest: { release, flavour, arch, package: `linux-image-${release}`, packageVersion: '1', vmlinuz: 'boot/x', installedAt: '' },
})

describe('kernel facts', () => {
  it('reads the release from an uncompressed kernel banner, skipping the printf template', () => {
    const image = Buffer.concat([
      Buffer.alloc(100),
      Buffer.from('Linux version %s (%s@%s) (%s) %s\0'),
      Buffer.from('Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP\0'),
    ])
    expect(bannerRelease(image)).toBe('6.1.0-56-amd64')
    expect(bannerRelease(Buffer.from('no banner here'))).toBeUndefined()
  })

  it('derives the flavour from the release', () => {
    expect(flavourOfRelease('6.1.0-56-amd64')).toBe('generic')
    expect(flavourOfRelease('6.1.0-56-cloud-amd64')).toBe('cloud')
    expect(flavourOfRelease('6.1.0-56-cloud-arm64')).toBe('cloud')
    expect(flavourOfRelease('6.1.0-56-rt-amd64')).toBe('rt')
    expect(flavourOfRelease('6.18.44-fc-v769')).toBe('unknown')
  })

  it('resolves the meta package to the versioned kernel package', () => {
    const out = 'linux-image-amd64\n  Depends: linux-image-6.1.0-56-amd64\n'
    expect(parseMetaDependency(out)).toBe('linux-image-6.1.0-56-amd64')
    expect(parseMetaDependency('linux-image-amd64\n  Depends: <linux-image-6.1.0-56-amd64>\n')).toBeUndefined()
    expect(releaseOfPackage('linux-image-6.1.0-56-cloud-amd64')).toBe('6.1.0-56-cloud-amd64')
  })

  it('picks the wanted flavour first, then the newest release, for the wanted arch only', () => {
    const entries = [
      m('6.1.0-50-amd64', 'generic'),
      m('6.1.0-56-cloud-amd64', 'cloud'),
      m('6.1.0-56-amd64', 'generic'),
      m('6.1.0-60-cloud-arm64', 'cloud', 'aarch64'),
    ]
    expect(pickCachedKernel(entries, { arch: 'x86_64', flavour: 'generic' })!.manifest.release).toBe('6.1.0-56-amd64')
    expect(pickCachedKernel(entries, { arch: 'x86_64', flavour: 'cloud' })!.manifest.release).toBe('6.1.0-56-cloud-amd64')
    expect(pickCachedKernel(entries, { arch: 'aarch64', flavour: 'generic' })!.manifest.release).toBe('6.1.0-60-cloud-arm64')
    expect(pickCachedKernel(entries, { arch: 'riscv64' })).toBeUndefined()
    expect(compareReleases('6.1.0-56-amd64', '6.1.0-9-amd64')).toBeGreaterThan(0)
  })

  it('places the cache per user, overridable', () => {
    expect(guestCacheDir({ VIRTCHECK_CACHE: '/srv/vc' })).toBe('/srv/vc')
    expect(kernelsDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/virtcheck/kernels')
    expect(initramfsDir({ HOME: '/home/u' })).toBe('/home/u/.cache/virtcheck/initramfs')
  })
})
