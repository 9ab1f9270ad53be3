/** Removing a tier's IO scratch files (named by scratchFileName) when its session closes. */
import { readdir, rm, statfs } from 'node:fs/promises'
import { join } from 'node:path'

export const removeScratchFiles = async (scratchDir: string, tier: string): Promise<void> => {
  const names = await readdir(scratchDir).catch(() => [] as string[])
  await Promise.all(names.filter((n) => n.startsWith(`vc-${tier}-`)).map((n) => rm(join(scratchDir, n), { force: true })))
}

/**
 * A guest disk in the scratch folder is sparse: it takes host space only as the guest writes. On a full
 * host disk QEMU's writes fail with ENOSPC, which looks from the guest like a hung disk, so the room
 * is checked (statfs) before a guest disk is made, and named when a guest job fails on a full disk.
 */
export const GUEST_DISK_MIN_FREE_BYTES = 64 * 1024 * 1024

/** Free bytes for this user on the file system of `dir`, or undefined where statfs fails. */
export const freeBytes = async (dir: string): Promise<number | undefined> => {
  try {
    const s = await statfs(dir)
    return Number(s.bavail) * Number(s.bsize)
  } catch {
    return undefined
  }
}

/** `disk full (ENOSPC): N MiB free in DIR` when the scratch folder has less than the guest disk needs, else undefined. */
export const scratchDiskFull = async (dir: string): Promise<string | undefined> => {
  const free = await freeBytes(dir)
  if (free === undefined || free >= GUEST_DISK_MIN_FREE_BYTES) return undefined
  return `disk full (ENOSPC): ${Math.floor(free / 1048576)} MiB free in the scratch folder ${dir}, a guest disk needs at least ${GUEST_DISK_MIN_FREE_BYTES / 1048576} MiB`
}
