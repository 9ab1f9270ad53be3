/**
 * A bzImage given with --kernel (or the host's own) boots faster as its uncompressed vmlinux through
 * PVH (XZ decompression alone costs ~3.5 s under TCG). Extract once into the cache, keyed by the
 * image's path, size and mtime; on any failure the bzImage itself is booted.
 */
import { mkdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { kernelsDir } from './cache-paths.js'
import { extractVmlinux } from './kernel-extract.js'
import type { GuestKernel } from './kernel-find.js'
import { sha256 } from './initramfs-key.js'
import { isBzImage } from './kernel-payload.js'

export const preferUncompressed = async (k: GuestKernel, env: NodeJS.ProcessEnv = process.env): Promise<GuestKernel> => {
  if (k.source === 'cache') return k
  const st = await stat(k.path).catch(() => undefined)
  if (!st) return k
  const head = await readFile(k.path).then(
    (b) => b.subarray(0, 4096),
    () => undefined,
  )
  if (!head || !isBzImage(head)) return k
  const dir = join(kernelsDir(env), 'extracted')
  const out = join(dir, `${sha256(`${k.path}\0${st.size}\0${st.mtimeMs}`).slice(0, 32)}.vmlinux`)
  if (!(await stat(out).catch(() => undefined))) {
    await mkdir(dir, { recursive: true })
    const r = await extractVmlinux(k.path, out)
    if (r.kind === 'failed') return k
  }
  return { ...k, path: out, imagePath: k.path }
}
