/**
 * Where guest kernels and initramfs images are cached. A per-user cache (not the per-project
 * `.virtcheck/` working folder) because a 60 MB kernel download should survive between project
 * folders and runs: `$VIRTCHECK_CACHE`, else `$XDG_CACHE_HOME/virtcheck`, else `~/.cache/virtcheck`.
 */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export const guestCacheDir = (env: NodeJS.ProcessEnv = process.env): string => {
  const explicit = env['VIRTCHECK_CACHE']
  if (explicit) return resolve(explicit)
  const xdg = env['XDG_CACHE_HOME']
  return join(xdg ? resolve(xdg) : join(env['HOME'] ?? homedir(), '.cache'), 'virtcheck')
}

/** One folder per unpacked kernel package: `<cache>/kernels/<release>/` (dpkg -x layout + vmlinux). */
export const kernelsDir = (env: NodeJS.ProcessEnv = process.env): string => join(guestCacheDir(env), 'kernels')

/** Content-addressed initramfs images: `<cache>/initramfs/<sha256>.cpio`. */
export const initramfsDir = (env: NodeJS.ProcessEnv = process.env): string => join(guestCacheDir(env), 'initramfs')
