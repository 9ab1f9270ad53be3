import { describe, expect, it } from 'vitest'
import { parseSmaps } from '../../../src/tiers/qemu/memory.js'

const GiB = 1024 * 1024 * 1024
// Excerpt shaped like /proc/<qemu>/smaps: the binary, a heap, the 1 GiB guest RAM, the TCG buffer.
const SMAPS = `55d0c0000000-55d0c0800000 r-xp 00000000 fe:01 123  /usr/bin/qemu-system-x86_64
Size:               8192 kB
Rss:                6000 kB
55d0c2000000-55d0c4000000 rw-p 00000000 00:00 0                          [heap]
Size:              32768 kB
Rss:               20000 kB
7f0000000000-7f0040000000 rw-p 00000000 00:00 0
Size:            1048576 kB
Rss:              150000 kB
7f0040000000-7f0080000000 rwxp 00000000 00:00 0
Size:            1048576 kB
Rss:               60000 kB
7f0100000000-7f0100200000 rw-p 00000000 00:00 0
Size:               2048 kB
Rss:                1000 kB
`

describe('QEMU memory overhead from smaps', () => {
  it('counts the non-executable anonymous mapping of the guest RAM size as guest RAM, everything else as overhead', () => {
    const m = parseSmaps(SMAPS, GiB)
    expect(m.guestRamFound).toBe(true)
    expect(m.guestRamRssBytes).toBe(150000 * 1024)
    // The TCG code buffer is also ~1 GiB, but rwx: QEMU's own memory.
    expect(m.overheadRssBytes).toBe((6000 + 20000 + 60000 + 1000) * 1024)
    expect(m.totalRssBytes).toBe((6000 + 20000 + 150000 + 60000 + 1000) * 1024)
  })

  it('claims no guest RAM when no mapping has its size', () => {
    const m = parseSmaps(SMAPS, 2 * GiB)
    expect(m.guestRamFound).toBe(false)
    expect(m.overheadRssBytes).toBe(m.totalRssBytes)
  })
})
