/**
 * emu-aarch64 mode=system: the pure parts (options, command line, module groups, private apt
 * options, cache facts) and ONE real arm64 boot under qemu-system-aarch64 (~1.7 s to the agent)
 * running sys.syscall, an IO job on the guest's virtio-blk disk and (as root) a net job to the peer.
 * Needs qemu-system-aarch64, the aarch64 vcwork and the arm64 guest (fetched here through
 * ensureAarch64Guest when not cached); under CI=true a missing component fails the suite.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execa } from 'execa'
import { CleanupRegistry } from '../../../src/host/cleanup.js'
import { UsageError } from '../../../src/core/errors.js'
import type { PeerNetwork } from '../../../src/core/tier.js'
import { nativeBinary } from '../../../src/host/paths.js'
import { emuAarch64Driver } from '../../../src/tiers/user-emu/index.js'
import { emuMode, parseEmuOptions, parseEmuSystemOptions } from '../../../src/tiers/user-emu/options.js'
import { aarch64KernelCmdline, aarch64ModuleGroups, buildAarch64Command } from '../../../src/tiers/user-emu/system-command.js'
import {
  aarch64CacheDir,
  debVersion,
  isAarch64Manifest,
  isArm64Image,
  isGzip,
  privateAptOptions,
} from '../../../src/guest/aarch64-facts.js'
import { ensureAarch64Guest, findAarch64Guest } from '../../../src/guest/index.js'
import { createPeerNetwork } from '../../../src/net/peer.js'
import { isRoot, leftoverQemu, requireAll } from '../qemu/need.js'
import { tierContext } from '../open-context.js'

describe('emu-aarch64 mode option', () => {
  it('defaults to user, accepts system, rejects other modes and system keys in user mode', () => {
    expect(emuMode(undefined)).toBe('user')
    expect(emuMode({ mode: 'system' })).toBe('system')
    expect(() => emuMode({ mode: 'kvm' })).toThrow(UsageError)
    expect(parseEmuOptions({ mode: 'user', cpu: 'max' })).toEqual({ cpu: 'max' })
    expect(() => parseEmuOptions({ 'memory-mib': '512' })).toThrow(/needs emu-aarch64.mode=system/)
    expect(() => parseEmuOptions({ bogus: '1' })).toThrow(UsageError)
    // the bench's up-front check goes through parseEmuOptions in both modes
    expect(parseEmuOptions({ mode: 'system', kpti: 'on' })).toEqual({ qemuBinary: 'qemu-system-aarch64', cpu: 'cortex-a57' })
    expect(() => parseEmuOptions({ mode: 'system', kpti: 'x' })).toThrow(UsageError)
  })

  it('system options: defaults and checks', () => {
    expect(parseEmuSystemOptions({ mode: 'system' })).toEqual({
      qemuBinary: 'qemu-system-aarch64',
      machine: 'virt',
      cpu: 'cortex-a57',
      smp: 1,
      memoryMib: 1024,
      diskMib: 1024,
      append: '',
      kpti: 'off',
    })
    expect(parseEmuSystemOptions({ mode: 'system', cpu: 'max', kpti: 'on', smp: '2' })).toMatchObject({ cpu: 'max', kpti: 'on', smp: 2 })
    expect(() => parseEmuSystemOptions({ mode: 'system', kpti: 'maybe' })).toThrow(UsageError)
    expect(() => parseEmuSystemOptions({ mode: 'system', machine: 'q35' })).toThrow(UsageError)
    expect(() => parseEmuSystemOptions({ mode: 'system', append: 'a"b' })).toThrow(UsageError)
  })
})

describe('emu-aarch64 system command (pure)', () => {
  const options = parseEmuSystemOptions({ mode: 'system' })
  it('builds the virt machine command with virtio-mmio devices and kpti=0', () => {
    const c = buildAarch64Command({
      name: 'virtcheck-1-emu-aarch64',
      options,
      kernelPath: '/k/Image',
      initrdPath: '/i.cpio',
      agentSocket: '/s/agent.sock',
      disk: { path: '/scratch/d.raw' },
      net: { tap: 'vctap0', guestCidr: '10.213.0.2/30' },
    })
    const a = c.argv.join(' ')
    expect(c.argv[0]).toBe('qemu-system-aarch64')
    expect(a).toContain('-name virtcheck-1-emu-aarch64 -machine virt -accel tcg -cpu cortex-a57 -smp 1 -m 1024')
    expect(a).toContain('-display none -no-reboot')
    expect(a).toContain('-device virtio-serial-device,id=vcser0 -device virtconsole,chardev=agent0,bus=vcser0.0')
    expect(a).toContain('-device virtio-blk-device,drive=disk0')
    expect(a).toContain('-netdev tap,id=net0,ifname=vctap0,script=no,downscript=no,vhost=off -device virtio-net-device,netdev=net0')
    expect(c.kernelCmdline).toBe(
      'console=ttyAMA0 quiet panic=-1 kpti=0 cryptomgr.notests virtcheck.agent=/dev/hvc0 virtcheck.disk=/dev/vda virtcheck.ip=10.213.0.2/30',
    )
    expect(aarch64KernelCmdline({ options: { ...options, kpti: 'on', append: 'loglevel=7' } })).toBe(
      'console=ttyAMA0 quiet panic=-1 cryptomgr.notests virtcheck.agent=/dev/hvc0 loglevel=7',
    )
  })
  it('groups the virtio-mmio modules per device', () => {
    expect(aarch64ModuleGroups(false)).toEqual([
      ['virtio_mmio', 'virtio_blk'],
      ['virtio_mmio', 'virtio_console'],
    ])
    expect(aarch64ModuleGroups(true)).toHaveLength(3)
  })
})

describe('arm64 guest cache facts (pure)', () => {
  it('keeps apt state private and recognises images and manifests', () => {
    const o = privateAptOptions('/c/aarch64/apt')
    expect(o).toEqual([
      '-o',
      'APT::Architecture=arm64',
      '-o',
      'APT::Architectures=arm64',
      '-o',
      'Dir::State::Lists=/c/aarch64/apt/lists',
      '-o',
      'Dir::Cache=/c/aarch64/apt/cache',
      '-o',
      'Dir::State::status=/dev/null',
    ])
    expect(aarch64CacheDir({ VIRTCHECK_CACHE: '/x' })).toBe('/x/aarch64')
    expect(debVersion('busybox-static_1%3a1.35.0-4+deb12u1+b1_arm64.deb')).toBe('1:1.35.0-4+deb12u1+b1')
    const head = new Uint8Array(64)
    head.set([0x41, 0x52, 0x4d, 0x64], 0x38)
    expect(isArm64Image(head)).toBe(true)
    expect(isArm64Image(new Uint8Array(64))).toBe(false)
    expect(isGzip(Uint8Array.from([0x1f, 0x8b, 8]))).toBe(true)
    expect(
      isAarch64Manifest({ arch: 'aarch64', release: 'r', flavour: 'cloud', image: 'i', vmlinuz: 'v', modulesDir: 'm', busybox: 'b' }),
    ).toBe(true)
    expect(isAarch64Manifest({ arch: 'x86_64', release: 'r' })).toBe(false)
  })
  it('finds nothing in an empty cache', async () => {
    const r = await findAarch64Guest({ env: { VIRTCHECK_CACHE: '/nonexistent/vc-cache' } })
    expect(r.kind).toBe('none')
  })
})

const systemMissing = async (): Promise<string[]> => {
  const m: string[] = []
  if ((await execa('qemu-system-aarch64', ['--version'], { reject: false })).exitCode !== 0) m.push('qemu-system-aarch64 (qemu-system-arm)')
  if (!existsSync(nativeBinary('vcwork', 'aarch64')))
    m.push('build/native/aarch64/vcwork (gcc-aarch64-linux-gnu + node workloads/build.mjs)')
  if ((await findAarch64Guest()).kind === 'none' && (await execa('apt-get', ['--version'], { reject: false })).exitCode !== 0)
    m.push('apt-get (to fetch the arm64 guest)')
  return m
}

const run = requireAll(await systemMissing())
let scratch: string
let network: PeerNetwork | undefined
const runCleanup = new CleanupRegistry()

beforeAll(async () => {
  if (!run) return
  scratch = await mkdtemp(join(tmpdir(), 'vc-a64-test-'))
  const g = await ensureAarch64Guest({})
  if (g.kind === 'failed') throw new Error(`arm64 guest: ${g.reason}`)
  if (isRoot) network = await createPeerNetwork(runCleanup, { maxSeconds: 120 })
}, 300_000)

afterAll(async () => {
  if (!run) return
  await runCleanup.runAll()
  await rm(scratch, { recursive: true, force: true })
})

describe.runIf(run)('emu-aarch64 mode=system (real arm64 boot)', () => {
  it('boots, runs sys.syscall and io.seq (and net.rr as root), records the config, leaves nothing', async () => {
    const cleanup = new CleanupRegistry()
    const ctx = tierContext(scratch, cleanup, { startTimeoutMs: 20_000, options: { mode: 'system' }, ...(network ? { network } : {}) })
    try {
      const s = await emuAarch64Driver.open(ctx)
      expect(s.config).toMatchObject({
        mode: 'system',
        guestArch: 'aarch64',
        machine: 'virt',
        cpuModel: 'cortex-a57',
        kpti: 'off',
        guestDisk: '/dev/vda',
      })
      expect(String(s.config['kernelCmdline'])).toContain('kpti=0')
      expect(String(s.config['kernelRelease'])).toMatch(/arm64$/)
      expect(String(s.config['qemuCommand'])).toContain(`-name virtcheck-${process.pid}-emu-aarch64`)
      expect(s.bootMs).toBeGreaterThan(0)
      const sys = await s.run({ job: 'sys.syscall', reps: 1, params: { targetMs: 100 } })
      if (sys.kind === 'failed') throw new Error(`${sys.reason}\n${sys.logTail ?? ''}`)
      expect(sys.samples[0]!.value).toBeGreaterThan(0)
      const io = await s.run({ job: 'io.seq', reps: 1, params: { targetMs: 100, sizeMb: 8 } })
      if (io.kind === 'failed') throw new Error(`${io.reason}\n${io.logTail ?? ''}`)
      expect(io.samples.map((x) => x.metric).sort()).toEqual(['read', 'write'])
      if (network) {
        const net = await s.run({ job: 'net.rr', reps: 1, params: { targetMs: 100 } })
        if (net.kind === 'failed') throw new Error(`${net.reason}\n${net.logTail ?? ''}`)
        expect(net.samples.find((x) => x.metric === 'tps')!.value).toBeGreaterThan(0)
      } else {
        const net = await s.run({ job: 'net.rr', reps: 1, params: { targetMs: 100 } })
        expect(net.kind).toBe('failed')
      }
      await s.close()
    } finally {
      await cleanup.runAll()
    }
    expect(await leftoverQemu()).toBe('')
    expect((await readdir(scratch)).filter((f) => f.startsWith('virtcheck-emu-aarch64-'))).toEqual([])
  }, 40_000)

  it('fails as a tier (not a usage error) with a reason when the qemu binary is missing', async () => {
    const cleanup = new CleanupRegistry()
    const ctx = tierContext(scratch, cleanup, {
      startTimeoutMs: 5_000,
      options: { mode: 'system', 'qemu-binary': '/nonexistent/qemu-system-aarch64' },
    })
    try {
      const e = await emuAarch64Driver.open(ctx).then(
        () => undefined,
        (x: unknown) => x,
      )
      expect(e).toBeInstanceOf(Error)
      expect(e).not.toBeInstanceOf(UsageError)
      expect(String((e as Error).message)).toMatch(/mode=system.*not installed|mode=system/)
    } finally {
      await cleanup.runAll()
    }
  })
})
