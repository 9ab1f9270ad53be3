import { execa } from 'execa'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extractVmlinux } from '../../src/guest/kernel-extract.js'
import { compressionAt, decompressorArgv, findKernelPayload, isBzImage, type KernelCompression } from '../../src/guest/kernel-payload.js'
import { bzImageVersionString } from '../../src/guest/kernel-facts.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vc-kpay-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A fake "vmlinux": ELF magic plus 2 MiB of patterned bytes. */
const fakeElf = (): Buffer => {
  const b = Buffer.alloc(2 * 1024 * 1024)
  b.set([0x7f, 0x45, 0x4c, 0x46], 0)
  for (let i = 4; i < b.length; i++) b[i] = (i * 7) & 0xff
  return b
}

const compress = async (c: KernelCompression, data: Buffer): Promise<Buffer> => {
  const argv = { gzip: ['gzip', '-c'], xz: ['xz', '-c', '--check=crc32'], lz4: ['lz4', '-l', '-c'], zstd: ['zstd', '-c', '-q'] }[c]
  const r = await execa(argv[0]!, argv.slice(1), { input: data, encoding: 'buffer', reject: false })
  if (r.exitCode !== 0) throw new Error(`${argv[0]} failed (CI installs xz-utils, lz4, zstd, gzip)`)
  return Buffer.from(r.stdout)
}

/** A synthetic bzImage: boot header with HdrS, setup_sects, payload_offset/length and a version string. */
const fakeBzImage = (payload: Buffer, withHeader: boolean): Buffer => {
  const setupSects = 3
  const pmStart = (setupSects + 1) * 512
  const payloadOffset = 0x300 // inside the protected-mode part, as real kernels have
  const img = Buffer.alloc(pmStart + payloadOffset + payload.length + 64)
  if (withHeader) {
    img[0x1f1] = setupSects
    img.write('HdrS', 0x202, 'latin1')
    img.writeUInt16LE(0x100, 0x20e) // kernel_version pointer (relative to 0x200)
    img.write('6.1.0-99-amd64 (test@example) #1 SMP\0', 0x300, 'latin1')
    img.writeUInt32LE(payloadOffset, 0x248)
    img.writeUInt32LE(payload.length, 0x24c)
  }
  payload.copy(img, pmStart + payloadOffset)
  return img
}

describe('kernel payload detection', () => {
  it('knows each magic', () => {
    expect(compressionAt(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), 0)).toBe('xz')
    expect(compressionAt(Buffer.from([0x02, 0x21, 0x4c, 0x18]), 0)).toBe('lz4')
    expect(compressionAt(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 0)).toBe('zstd')
    expect(compressionAt(Buffer.from([0x1f, 0x8b, 0x08]), 0)).toBe('gzip')
    expect(compressionAt(Buffer.from([0x1f, 0x8b]), 0)).toBeUndefined()
    expect(decompressorArgv('xz')).toEqual(['xz', '-dc', '--single-stream'])
  })

  it('uses the boot header when present, and reads the version string', async () => {
    const img = fakeBzImage(await compress('xz', fakeElf()), true)
    expect(isBzImage(img)).toBe(true)
    const p = findKernelPayload(img)!
    expect(p).toMatchObject({ compression: 'xz', offset: 4 * 512 + 0x300, foundBy: 'boot-header' })
    expect(bzImageVersionString(img)).toBe('6.1.0-99-amd64 (test@example) #1 SMP')
  })

  it('falls back to scanning for the earliest magic without a header', async () => {
    const img = fakeBzImage(await compress('zstd', fakeElf()), false)
    expect(findKernelPayload(img)).toMatchObject({ compression: 'zstd', offset: 4 * 512 + 0x300, foundBy: 'magic-scan' })
    expect(findKernelPayload(Buffer.alloc(4096))).toBeUndefined()
  })

  for (const c of ['xz', 'lz4', 'zstd', 'gzip'] as const) {
    it(`extracts the ELF from a ${c} bzImage with the real decompressor`, async () => {
      const elf = fakeElf()
      const file = join(dir, `bz-${c}`)
      await writeFile(file, fakeBzImage(await compress(c, elf), true))
      const r = await extractVmlinux(file, join(dir, `vmlinux-${c}`))
      expect(r).toMatchObject({ kind: 'ok', compression: c, bytes: elf.length })
      expect((await readFile(join(dir, `vmlinux-${c}`))).equals(elf)).toBe(true)
    })
  }

  it('reports (not throws) a file without a payload', async () => {
    const file = join(dir, 'junk')
    await writeFile(file, Buffer.alloc(8192, 0x41))
    expect(await extractVmlinux(file, join(dir, 'out'))).toMatchObject({ kind: 'failed' })
  })
})
