/**
 * Where guest kernels and initramfs images are cached. A per-user cache (not the per-project
 * `.virtcheck/` working folder) because a 60 MB kernel download should survive between project
 * folders and runs: `$VIRTCHECK_CACHE`, else `$XDG_CACHE_HOME/virtcheck`, else `~/.cache/virtcheck`
 * (src/host/cache-dir.ts).
 */
import { join } from 'node:path'
import { userCacheDir } from '../host/cache-dir.js'

/** The folder itself and its HOME-less fallbacks: src/host/cache-dir.ts. */
export const guestCacheDir = (env: NodeJS.ProcessEnv = process.env): string => userCacheDir(env)

/** One folder per unpacked kernel package: `<cache>/kernels/<release>/` (dpkg -x layout + vmlinux). */
export const kernelsDir = (env: NodeJS.ProcessEnv = process.env): string => join(guestCacheDir(env), 'kernels')

/** Content-addressed initramfs images: `<cache>/initramfs/<sha256>.cpio`. */
export const initramfsDir = (env: NodeJS.ProcessEnv = process.env): string => join(guestCacheDir(env), 'initramfs')
