/**
 * Pure: QEMU's memory overhead from /proc/<pid>/smaps. The guest's RAM is one large anonymous
 * mapping of the configured size (pc.ram / q35 ram); the rest of the process's resident memory —
 * QEMU's code, heaps, device state, TCG translation buffer, I/O threads — is the VMM overhead
 * (the Firecracker paper's "memory overhead beyond guest RAM"). Guest pages the guest touched
 * count as guest RAM, not overhead, so the figure does not grow with the workload.
 */

import { readFile } from 'node:fs/promises'

export interface QemuMemory {
  /** VmRSS of the whole process (sum of Rss over all mappings). */
  readonly totalRssBytes: number
  /** Rss of the guest RAM mapping(s). */
  readonly guestRamRssBytes: number
  /** totalRssBytes - guestRamRssBytes. */
  readonly overheadRssBytes: number
  /** Whether a mapping of the guest RAM size was found; when false the overhead is the whole RSS. */
  readonly guestRamFound: boolean
}

export const parseSmaps = (text: string, guestRamBytes: number): QemuMemory => {
  let total = 0
  let guest = 0
  let found = false
  let sizeKb = 0
  let ramCandidate = false
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line)
    if (head) {
      sizeKb = (Number.parseInt(head[2]!, 16) - Number.parseInt(head[1]!, 16)) / 1024
      const name = head[4]!.trim()
      // Guest RAM is anonymous and not executable; the TCG code buffer (about 1 GiB, rwx) is QEMU's own.
      ramCandidate = (name === '' || name.startsWith('[anon')) && !head[3]!.includes('x')
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (!rss) continue
    const bytes = Number(rss[1]) * 1024
    total += bytes
    // QEMU allocates guest RAM as one block of the configured size (aligned up by at most 2 MiB).
    const sizeBytes = sizeKb * 1024
    if (ramCandidate && sizeBytes >= guestRamBytes && sizeBytes <= guestRamBytes + 4 * 1024 * 1024) {
      guest += bytes
      found = true
    }
  }
  return { totalRssBytes: total, guestRamRssBytes: guest, overheadRssBytes: total - guest, guestRamFound: found }
}

/** QEMU's resident memory beyond guest RAM, read from the live process; undefined once it is gone. */
export const readGuestOverheadRssBytes = async (qemuPid: number, guestMemoryMib: number): Promise<number | undefined> => {
  const smaps = await readFile(`/proc/${qemuPid}/smaps`, 'utf8').catch(() => undefined)
  return smaps === undefined ? undefined : parseSmaps(smaps, guestMemoryMib * 1024 * 1024).overheadRssBytes
}
