import { execa } from 'execa'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeCpio, encodeCpio, type CpioEntry } from '../../src/guest/cpio.js'

const enc = new TextEncoder()
const ENTRIES: CpioEntry[] = [
  { kind: 'dir', path: 'bin' },
  { kind: 'dir', path: '/dev/' },
  { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
  { kind: 'file', path: 'bin/hello', data: enc.encode('hi there\n'), mode: 0o755 },
  { kind: 'file', path: 'empty', data: new Uint8Array() },
  { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
]
const concat = (chunks: Uint8Array[]) => Buffer.concat(chunks.map((c) => Buffer.from(c)))

describe('newc cpio encoder', () => {
  it('round-trips names, modes, data and device numbers, with 4-byte alignment', () => {
    const buf = concat(encodeCpio(ENTRIES))
    expect(buf.length % 4).toBe(0)
    expect(buf.subarray(0, 6).toString()).toBe('070701')
    const back = decodeCpio(buf)
    expect(back.map((e) => e.name)).toEqual(['bin', 'dev', 'dev/console', 'bin/hello', 'empty', 'bin/sh'])
    expect(back[2]!.mode).toBe(0o020600)
    expect(back[2]!.rdev).toEqual([5, 1])
    expect(Buffer.from(back[3]!.data).toString()).toBe('hi there\n')
    expect(back[3]!.mode).toBe(0o100755)
    expect(Buffer.from(back[5]!.data).toString()).toBe('busybox')
  })

  it('is deterministic', () => {
    expect(concat(encodeCpio(ENTRIES)).equals(concat(encodeCpio(ENTRIES)))).toBe(true)
  })

  it('is read by GNU cpio as the same archive', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vc-cpio-'))
    try {
      const file = join(dir, 'a.cpio')
      await writeFile(file, concat(encodeCpio(ENTRIES)))
      const r = await execa('cpio', ['-itv', '--quiet'], { inputFile: file, reject: false })
      if (r.failed && (r as { code?: string }).code === 'ENOENT') {
        if (process.env['CI'] === 'true') throw new Error('cpio is not installed')
        return
      }
      expect(r.exitCode).toBe(0)
      const lines = String(r.stdout).split('\n')
      expect(lines).toHaveLength(6)
      expect(lines[2]).toMatch(/^crw-------.*5,\s+1.*dev\/console$/)
      expect(lines[3]).toMatch(/^-rwxr-xr-x.* 9 .*bin\/hello$/)
      expect(lines[5]).toMatch(/^lrwxrwxrwx.*bin\/sh -> busybox$/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('rejects out-of-range fields', () => {
    expect(() => encodeCpio([{ kind: 'char', path: 'x', major: -1, minor: 0 }])).toThrow(RangeError)
  })
})
