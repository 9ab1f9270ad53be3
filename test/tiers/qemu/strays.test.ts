import { execa } from 'execa'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cleanupStrayGuests, findStrayGuests, socketDirOwner, virtcheckGuestName } from '../../../src/tiers/qemu/strays.js'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { qemuMissing, requireAll } from './need.js'

describe('stray guest detection', () => {
  it('reads the owner pid from the QEMU -name', () => {
    expect(virtcheckGuestName(['/usr/bin/qemu-system-x86_64', '-name', 'virtcheck-4242-tcg-virtio', '-m', '1'])).toEqual({
      name: 'virtcheck-4242-tcg-virtio',
      ownerPid: 4242,
    })
    expect(virtcheckGuestName(['qemu-system-x86_64', '-name', 'myvm'])).toBeUndefined()
    expect(virtcheckGuestName(['bash', '-name', 'virtcheck-1-x'])).toBeUndefined()
    expect(socketDirOwner('vc-q-1234-AbC9xz')).toBe(1234)
    expect(socketDirOwner('vc-q-AbC9xz')).toBeUndefined()
  })

  it('removes socket folders of dead owners only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vc-strays-'))
    try {
      await mkdir(join(dir, `vc-q-${process.pid}-live01`))
      await mkdir(join(dir, 'vc-q-999999999-dead01'))
      const done = await cleanupStrayGuests(dir)
      expect(done).toContain(`removed ${join(dir, 'vc-q-999999999-dead01')}`)
      expect(existsSync(join(dir, `vc-q-${process.pid}-live01`))).toBe(true)
      expect(existsSync(join(dir, 'vc-q-999999999-dead01'))).toBe(false)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

const run = requireAll(await qemuMissing())

describe.runIf(run)('a killed virtcheck (real)', () => {
  it('takes its QEMU guest with it (SIGKILL, no cleanup code runs)', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'vc-hold-'))
    const child = execa('npx', ['tsx', join(import.meta.dirname, 'fixtures/hold-guest.ts'), scratch], {
      reject: false,
      buffer: false,
      stdout: 'pipe',
    })
    try {
      const ownerPid = await new Promise<number>((resolve, reject) => {
        let out = ''
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString()
          const m = /READY (\d+)/.exec(out)
          if (m) resolve(Number(m[1]))
        })
        void child.then(() => reject(new Error(`helper exited: ${out}`)))
      })
      const running = async () =>
        String((await execa('pgrep', ['-af', `virtcheck-${ownerPid}-`], { reject: false })).stdout)
          .split('\n')
          .filter((l) => l.includes('qemu-system'))
      expect(await running()).toHaveLength(1)
      process.kill(ownerPid, 'SIGKILL')
      let left = await running()
      for (let i = 0; i < 30 && left.length; i++) {
        await new Promise((r) => setTimeout(r, 100))
        left = await running()
      }
      expect(left).toEqual([])
      expect((await findStrayGuests()).filter((g) => g.ownerPid === ownerPid)).toEqual([])
      // What the killed process could not remove itself, `virtcheck cleanup` does.
      expect((await cleanupStrayGuests()).filter((l) => l.includes(`vc-q-${ownerPid}-`))).toHaveLength(1)
    } finally {
      child.kill('SIGKILL')
      await rm(scratch, { recursive: true, force: true })
    }
  }, 60_000)
})
