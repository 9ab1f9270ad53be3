import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findGuestKernel } from '../../src/guest/kernel-find.js'
import { preferUncompressed } from '../../src/guest/kernel-bootable.js'
import { UsageError } from '../../src/core/errors.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vc-kfind-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Synthetic bzImage: boot header with a version string and a gzip payload holding a 2 MiB "ELF". */
const bzImage = async (release: string): Promise<Buffer> => {
  const elf = Buffer.alloc(2 * 1024 * 1024, 1)
  elf.set([0x7f, 0x45, 0x4c, 0x46], 0)
  const gz = Buffer.from((await execa('gzip', ['-c'], { input: elf, encoding: 'buffer' })).stdout)
  const img = Buffer.alloc(2048 + gz.length)
  img[0x1f1] = 3
  img.write('HdrS', 0x202, 'latin1')
  img.writeUInt16LE(0x100, 0x20e)
  img.write(`${release} (x@y) #1 SMP\0`, 0x300, 'latin1')
  img.writeUInt32LE(0, 0x248) // no payload_offset: found by scanning
  gz.copy(img, 2048)
  return img
}

describe('findGuestKernel', () => {
  it('explicit: reads the release from the image, finds modules beside it, extracts a vmlinux once', async () => {
    const root = join(dir, 'unpacked')
    await mkdir(join(root, 'boot'), { recursive: true })
    await mkdir(join(root, 'lib/modules/6.1.0-77-amd64'), { recursive: true })
    await writeFile(join(root, 'lib/modules/6.1.0-77-amd64/modules.dep'), '')
    const image = join(root, 'boot/vmlinuz-6.1.0-77-amd64')
    await writeFile(image, await bzImage('6.1.0-77-amd64'))
    const k = await findGuestKernel({ explicitPath: image })
    expect(k).toMatchObject({
      kind: 'found',
      source: 'explicit',
      release: '6.1.0-77-amd64',
      flavour: 'generic',
      modulesDir: join(root, 'lib/modules/6.1.0-77-amd64'),
    })
    if (k.kind !== 'found') return
    const env = { VIRTCHECK_CACHE: join(dir, 'cache') }
    const b = await preferUncompressed(k, env)
    expect(b.path).toMatch(/extracted\/[0-9a-f]{32}\.vmlinux$/)
    expect(b.imagePath).toBe(image)
    expect((await readFile(b.path)).subarray(0, 4).toString('latin1')).toBe('\x7fELF')
    expect((await preferUncompressed(k, env)).path).toBe(b.path)
  })

  it('explicit path that does not exist is a usage error', async () => {
    await expect(findGuestKernel({ explicitPath: join(dir, 'nope') })).rejects.toThrow(UsageError)
  })

  it('cache: only complete entries (with a manifest) count; none says what it tried', async () => {
    const env = { VIRTCHECK_CACHE: join(dir, 'cache2') }
    await mkdir(join(dir, 'cache2/kernels/half-done'), { recursive: true })
    const none = await findGuestKernel({ env, useHost: false })
    expect(none.kind).toBe('none')
    expect(none.kind === 'none' && none.tried.join(' ')).toContain('kernels')
    const entry = join(dir, 'cache2/kernels/6.1.0-9-amd64')
    await mkdir(entry, { recursive: true })
    await writeFile(join(entry, 'vmlinux'), 'x')
    await writeFile(
      join(entry, 'virtcheck-kernel.json'),
      JSON.stringify({
        release: '6.1.0-9-amd64',
        flavour: 'generic',
        arch: 'x86_64',
        vmlinuz: 'boot/vmlinuz',
        vmlinux: 'vmlinux',
        package: 'p',
        packageVersion: '1',
        installedAt: '',
      }),
    )
    expect(await findGuestKernel({ env, useHost: false })).toMatchObject({
      kind: 'found',
      source: 'cache',
      path: join(entry, 'vmlinux'),
      release: '6.1.0-9-amd64',
    })
  })
})
