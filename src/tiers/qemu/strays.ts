/**
 * Finding what a crashed run left behind, for `virtcheck cleanup`. Every QEMU virtcheck starts is
 * named `-name virtcheck-<pid>-<tier>` (pid = the virtcheck process) and its agent socket lives in
 * `$TMPDIR/vc-q-<pid>-XXXXXX/`; when that virtcheck process is gone, both are strays. (QEMU is also
 * started under `setpriv --pdeathsig KILL`, so stray guests are rare; socket folders are not.)
 */
import { readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const SOCKET_DIR_PREFIX = 'vc-q-'

export interface GuestProcessInfo {
  readonly pid: number
  readonly ownerPid: number
  readonly name: string
}

/** Pure: the virtcheck guest name in a QEMU argv, if any. */
export const virtcheckGuestName = (argv: readonly string[]): { name: string; ownerPid: number } | undefined => {
  if (!/qemu-system-/.test(argv[0] ?? '')) return undefined
  const i = argv.indexOf('-name')
  const value = i >= 0 ? argv[i + 1] : undefined
  const m = value ? /^(virtcheck-(\d+)-[\w-]+)/.exec(value) : null
  return m ? { name: m[1]!, ownerPid: Number(m[2]) } : undefined
}

/** Pure: the owner pid of an agent socket folder name (`vc-q-<pid>-XXXXXX`). */
export const socketDirOwner = (name: string): number | undefined => {
  const m = new RegExp(`^${SOCKET_DIR_PREFIX}(\\d+)-\\w+$`).exec(name)
  return m ? Number(m[1]) : undefined
}

const alive = async (pid: number): Promise<boolean> =>
  readFile(`/proc/${pid}/stat`, 'utf8').then(
    () => true,
    () => false,
  )

/** QEMU guests named by virtcheck whose owning virtcheck process no longer exists. */
export const findStrayGuests = async (): Promise<GuestProcessInfo[]> => {
  const out: GuestProcessInfo[] = []
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue
    const raw = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    const g = virtcheckGuestName(raw.split('\0').filter(Boolean))
    if (g && !(await alive(g.ownerPid))) out.push({ pid: Number(entry), ownerPid: g.ownerPid, name: g.name })
  }
  return out
}

/** Kill stray guests and remove agent socket folders of dead owners; returns what was done. */
export const cleanupStrayGuests = async (dir: string = tmpdir()): Promise<string[]> => {
  const done: string[] = []
  for (const g of await findStrayGuests()) {
    try {
      process.kill(g.pid, 'SIGKILL')
      done.push(`killed stray QEMU ${g.name} (pid ${g.pid})`)
    } catch {
      // exited meanwhile
    }
  }
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const owner = socketDirOwner(name)
    if (owner === undefined || (await alive(owner))) continue
    await rm(join(dir, name), { recursive: true, force: true })
    done.push(`removed ${join(dir, name)}`)
  }
  return done
}
