/**
 * virtcheck's per-user cache folder (guest kernels, initramfs images, tool versions):
 * `$VIRTCHECK_CACHE`, else `$XDG_CACHE_HOME/virtcheck`, else `<home>/.cache/virtcheck`.
 * The home is `$HOME` when it is an absolute path other than `/`, else the passwd entry's home; when
 * neither is usable (HOME unset in a service, `/` or `/nonexistent` in passwd) the cache goes to the
 * temp folder per uid, never to `/.cache` or a path relative to the working folder.
 */
import { tmpdir, userInfo } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'

const usableHome = (h: string | undefined): h is string => !!h && isAbsolute(h) && h !== '/' && h !== '/nonexistent'

const passwdHome = (): string | undefined => {
  try {
    return userInfo().homedir
  } catch {
    return undefined // no passwd entry for this uid (containers run with --user 12345)
  }
}

/** `$HOME` when usable, else the passwd home when usable, else undefined. */
export const userHomeDir = (env: NodeJS.ProcessEnv = process.env, passwd: () => string | undefined = passwdHome): string | undefined => {
  const home = usableHome(env['HOME']) ? env['HOME'] : passwd()
  return usableHome(home) ? home : undefined
}

export const userCacheDir = (env: NodeJS.ProcessEnv = process.env, passwd: () => string | undefined = passwdHome): string => {
  const explicit = env['VIRTCHECK_CACHE']
  if (explicit) return resolve(explicit)
  const xdg = env['XDG_CACHE_HOME']
  if (xdg && isAbsolute(xdg)) return join(xdg, 'virtcheck')
  const home = userHomeDir(env, passwd)
  if (home) return join(home, '.cache', 'virtcheck')
  return join(tmpdir(), `virtcheck-cache-${process.getuid?.() ?? 'user'}`)
}
