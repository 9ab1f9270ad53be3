import { execa } from 'execa'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initramfsKey } from '../../src/guest/initramfs-key.js'
import { renderInitScript, AGENT_START_MARKER, GUEST_UP_MARKER } from '../../src/guest/init-script.js'
import { buildInitramfs } from '../../src/guest/initramfs.js'
import { decodeCpio } from '../../src/guest/cpio.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vc-initramfs-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('initramfs cache key', () => {
  const base = { files: { 'bin/busybox': 'aa', 'bin/vcwork': 'bb' }, initScript: '#!/bin/sh\n', moduleOrder: ['kernel/a.ko'] }
  it('is stable for the same inputs, whatever the key order', () => {
    expect(initramfsKey(base)).toBe(initramfsKey({ ...base, files: { 'bin/vcwork': 'bb', 'bin/busybox': 'aa' } }))
  })
  it('changes when any input changes', () => {
    const k = initramfsKey(base)
    expect(initramfsKey({ ...base, files: { ...base.files, 'bin/vcwork': 'cc' } })).not.toBe(k)
    expect(initramfsKey({ ...base, initScript: '#!/bin/sh\n#x\n' })).not.toBe(k)
    expect(initramfsKey({ ...base, moduleOrder: [] })).not.toBe(k)
    expect(initramfsKey({ ...base, moduleOrder: ['kernel/b.ko', 'kernel/a.ko'] })).not.toBe(
      initramfsKey({ ...base, moduleOrder: ['kernel/a.ko', 'kernel/b.ko'] }),
    )
  })
})

describe('guest /init script', () => {
  const agent = renderInitScript()
  const bare = renderInitScript({ agent: false })
  it('prints the markers, reads virtcheck.* args, runs the agent on the agent port and powers off', () => {
    expect(agent).toMatch(/^#!\/bin\/busybox sh\n/)
    expect(agent).toContain(GUEST_UP_MARKER)
    expect(agent).toContain(AGENT_START_MARKER)
    expect(agent).toContain('virtcheck.ip=*')
    expect(agent).toContain('virtcheck.disk=*')
    expect(agent).toContain('/bin/vcwork agent < "$AGENT" > "$AGENT"')
    expect(agent).toContain('stty -F "$AGENT" raw -echo')
    expect(agent.trimEnd().endsWith('poweroff -f')).toBe(true)
    expect(bare).not.toContain('vcwork')
    expect(bare.trimEnd().endsWith('poweroff -f')).toBe(true)
  })

  it('is valid shell for busybox sh', async () => {
    for (const [name, text] of [
      ['agent', agent],
      ['bare', bare],
    ] as const) {
      const f = join(dir, `init-${name}`)
      await writeFile(f, text)
      const r = await execa('busybox', ['sh', '-n', f], { reject: false })
      if ((r as { code?: string }).code === 'ENOENT') {
        if (process.env['CI'] === 'true') throw new Error('busybox is not installed')
        return
      }
      expect(r.stderr).toBe('')
      expect(r.exitCode).toBe(0)
    }
  })
})

describe('buildInitramfs', () => {
  it('packs busybox, vcwork, modules in order and /init; the second build is a cache hit; a changed input rebuilds', async () => {
    const mods = join(dir, 'lib/modules/9.9.9')
    await execa('mkdir', ['-p', join(mods, 'kernel/a'), join(mods, 'kernel/b')])
    await writeFile(join(mods, 'kernel/a/base.ko'), 'BASE')
    await writeFile(join(mods, 'kernel/b/user.ko'), 'USER')
    await writeFile(join(mods, 'modules.dep'), 'kernel/a/base.ko:\nkernel/b/user.ko: kernel/a/base.ko\n')
    await writeFile(join(dir, 'busybox'), 'BB')
    await writeFile(join(dir, 'vcwork'), 'VC1')
    const env = { VIRTCHECK_CACHE: join(dir, 'cache') }
    const spec = { busyboxPath: join(dir, 'busybox'), vcworkPath: join(dir, 'vcwork'), modulesDir: mods, modules: ['user'], env }
    const first = await buildInitramfs(spec)
    expect(first).toMatchObject({ kind: 'ok', cached: false, moduleOrder: ['kernel/a/base.ko', 'kernel/b/user.ko'] })
    if (first.kind !== 'ok') return
    const names = decodeCpio(await readFile(first.path))
    const byName = new Map(names.map((e) => [e.name, e]))
    expect(Buffer.from(byName.get('etc/virtcheck/modules')!.data).toString()).toBe('1 kernel/a/base.ko\n1 kernel/b/user.ko\n')
    expect(byName.get('init')!.mode & 0o777).toBe(0o755)
    expect(byName.get('dev/console')!.rdev).toEqual([5, 1])
    expect(Buffer.from(byName.get('lib/modules/kernel/b/user.ko')!.data).toString()).toBe('USER')

    const again = await buildInitramfs(spec)
    expect(again).toMatchObject({ kind: 'ok', cached: true, path: first.path })

    await writeFile(join(dir, 'vcwork'), 'VC2')
    const rebuilt = await buildInitramfs(spec)
    expect(rebuilt).toMatchObject({ kind: 'ok', cached: false })
    expect(rebuilt.kind === 'ok' && rebuilt.path).not.toBe(first.path)
  })

  it('stores compressed host modules (.ko.xz, .ko.zst) uncompressed, under .ko names', async () => {
    const mods = join(dir, 'lib/modules/9.9.8')
    await execa('mkdir', ['-p', join(mods, 'kernel')])
    await writeFile(join(mods, 'kernel/x.ko.xz'), (await execa('xz', ['-c'], { input: 'XMOD', encoding: 'buffer' })).stdout)
    await writeFile(join(mods, 'kernel/z.ko.zst'), (await execa('zstd', ['-c', '-q'], { input: 'ZMOD', encoding: 'buffer' })).stdout)
    await writeFile(join(mods, 'modules.dep'), 'kernel/x.ko.xz:\nkernel/z.ko.zst: kernel/x.ko.xz\n')
    const r = await buildInitramfs({
      busyboxPath: join(dir, 'busybox'),
      modulesDir: mods,
      modules: ['z'],
      env: { VIRTCHECK_CACHE: join(dir, 'cache') },
    })
    expect(r.kind).toBe('ok')
    if (r.kind !== 'ok') return
    const byName = new Map(decodeCpio(await readFile(r.path)).map((e) => [e.name, e]))
    expect(Buffer.from(byName.get('lib/modules/kernel/x.ko')!.data).toString()).toBe('XMOD')
    expect(Buffer.from(byName.get('lib/modules/kernel/z.ko')!.data).toString()).toBe('ZMOD')
    expect(Buffer.from(byName.get('etc/virtcheck/modules')!.data).toString()).toBe('1 kernel/x.ko\n1 kernel/z.ko\n')
  })

  it('fails with a reason when a module is missing', async () => {
    const r = await buildInitramfs({
      busyboxPath: join(dir, 'busybox'),
      modulesDir: join(dir, 'lib/modules/9.9.9'),
      modules: ['e1000'],
      env: { VIRTCHECK_CACHE: join(dir, 'cache') },
    })
    expect(r).toMatchObject({ kind: 'failed' })
    expect(r.kind === 'failed' && r.reason).toContain('e1000')
  })
})
