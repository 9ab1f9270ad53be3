/**
 * Extract the uncompressed ELF vmlinux from a bzImage (payload located by kernel-payload.ts, then
 * `xz|lz4|zstd|gzip -dc`). Written to a temp name and renamed, so a half-written vmlinux is never used.
 */
import { open, readFile, rename, rm, stat } from 'node:fs/promises'
import { execa } from 'execa'
import { decompressorArgv, findKernelPayload, isElf, type KernelCompression } from './kernel-payload.js'

export type ExtractResult =
  | { readonly kind: 'ok'; readonly compression: KernelCompression; readonly foundBy: string; readonly bytes: number }
  | { readonly kind: 'failed'; readonly reason: string }

export const extractVmlinux = async (bzImagePath: string, outPath: string): Promise<ExtractResult> => {
  const image = await readFile(bzImagePath)
  if (isElf(image)) return { kind: 'failed', reason: `${bzImagePath} is already an uncompressed ELF kernel` }
  const payload = findKernelPayload(image)
  if (!payload) return { kind: 'failed', reason: `${bzImagePath}: no gzip/xz/lz4/zstd payload found` }
  const tmpIn = `${outPath}.payload.${process.pid}`
  const tmpOut = `${outPath}.tmp.${process.pid}`
  try {
    await writeSlice(tmpIn, image.subarray(payload.offset, payload.offset + payload.length))
    const [file, ...args] = decompressorArgv(payload.compression)
    const r = await execa(file!, args, { inputFile: tmpIn, stdout: { file: tmpOut }, reject: false, timeout: 120_000 })
    // Trailing bytes after the stream (the kernel's appended size) make some decompressors exit non-zero;
    // the output is what matters: it must be a whole ELF.
    const head = Buffer.alloc(4)
    const fh = await open(tmpOut, 'r').catch(() => undefined)
    if (fh) {
      await fh.read(head, 0, 4, 0)
      await fh.close()
    }
    const size = (await stat(tmpOut).catch(() => undefined))?.size ?? 0
    if (!isElf(head) || size < 1024 * 1024)
      return {
        kind: 'failed',
        reason: `${file} -dc gave no ELF kernel (exit ${r.exitCode ?? '?'}): ${String(r.stderr).trim().slice(0, 300)}`,
      }
    await rename(tmpOut, outPath)
    return { kind: 'ok', compression: payload.compression, foundBy: payload.foundBy, bytes: size }
  } finally {
    await rm(tmpIn, { force: true })
    await rm(tmpOut, { force: true })
  }
}

const writeSlice = async (path: string, bytes: Uint8Array): Promise<void> => {
  const fh = await open(path, 'w')
  try {
    await fh.write(bytes)
  } finally {
    await fh.close()
  }
}
