/**
 * A slow host: every command the probe runs is waited for within a scaled budget, and a command that
 * runs out of time is `unknown (timed out after N ms)`, never "not installed". Runs the real probes on
 * this machine's files with a fake runner that lets every command time out.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { CommandOutcome } from '../../src/core/host.js'
import { userCacheDir } from '../../src/host/cache-dir.js'
import { RealHost } from '../../src/host/real-host.js'
import type { runBounded } from '../../src/host/run-bounded.js'
import { scaleFromEnv, timeoutScale } from '../../src/host/slowness.js'
import { ToolOutcomeCache } from '../../src/host/tool-outcome-cache.js'
import { runProbes } from '../../src/probe-run/run-probes.js'
import { PROBES } from '../../probes/index.js'

const timingOut =
  (seen: { argv: string; timeoutMs: number }[]): typeof runBounded =>
  async (file, args, _name, o) => {
    seen.push({ argv: [file, ...args].join(' '), timeoutMs: o.timeoutMs })
    return { kind: 'timed-out', durationMs: o.timeoutMs, stdout: '', stderr: '' } satisfies CommandOutcome
  }

describe('slow host (fake runner: every command times out)', () => {
  it('scales each budget and reports timed-out tools as unknown with the time waited, never as absent', async () => {
    const seen: { argv: string; timeoutMs: number }[] = []
    const host = new RealHost({ timeoutScale: 4, toolCache: null, runner: timingOut(seen) })
    const findings = await runProbes(host, PROBES, { kernelCacheDirs: [] })
    const qemuRun = seen.find((s) => /qemu-system-x86_64 --version$/.test(s.argv))
    expect(qemuRun?.timeoutMs).toBe(12_000) // 3000 ms on a typical host, x4
    const q = findings.find((f) => f.id === 'software.qemu-system-x86_64')
    expect(q?.status).toBe('unknown')
    expect(q?.summary).toMatch(/^installed at \/usr\/bin\/qemu-system-x86_64, but it did not answer: .* timed out after 12000 ms/)
    expect(q?.remediation?.summary).toMatch(/VIRTCHECK_SLOWNESS/)
    // every tool that exists on this machine and was asked is unknown, none "not installed"
    for (const id of ['software.qemu-user-aarch64', 'software.podman', 'software.lxc', 'software.oci-runtimes']) {
      const f = findings.find((x) => x.id === id)
      expect(f?.status, id).toBe('unknown')
      expect(f?.summary, id).toMatch(/timed out after \d+ ms/)
    }
    for (const f of findings)
      if (f.status === 'skip' && /not installed/.test(f.summary))
        expect(
          seen.some((s) => s.argv.includes(String(f.id.split('.')[1]))),
          f.id,
        ).toBe(false)
    // the KVM API and the kernel log say how long they waited too
    expect(
      findings
        .find((f) => f.id === 'kvm.api')
        ?.evidence.map((e) => e.observed)
        .join(' '),
    ).toMatch(/timed out after \d+ ms/)
  })

  it('calibrates the scale from node start-up, or takes VIRTCHECK_SLOWNESS', () => {
    expect(timeoutScale({}, 50)).toBe(1)
    expect(timeoutScale({}, 2000)).toBe(20)
    expect(timeoutScale({}, 60_000)).toBe(50)
    expect(timeoutScale({ VIRTCHECK_SLOWNESS: '7' }, 50)).toBe(7)
    expect(scaleFromEnv({ VIRTCHECK_SLOWNESS: 'fast' })).toMatch(/must be a number from 1 to 1000/)
    expect(scaleFromEnv({ VIRTCHECK_SLOWNESS: '0.5' })).toMatch(/must be a number/)
  })
})

describe('cache folder without a usable HOME', () => {
  it('never becomes /.cache or a relative path', () => {
    expect(userCacheDir({}, () => '/home/ci')).toBe('/home/ci/.cache/virtcheck')
    expect(userCacheDir({ HOME: '' }, () => '/root')).toBe('/root/.cache/virtcheck')
    expect(userCacheDir({ HOME: '/' }, () => '/root')).toBe('/root/.cache/virtcheck')
    for (const passwd of ['/', '/nonexistent', '', undefined]) {
      const d = userCacheDir({}, () => passwd)
      expect(d.startsWith(tmpdir())).toBe(true)
      expect(d).not.toMatch(/^\/\.cache/)
    }
    expect(userCacheDir({ HOME: '/home/u', XDG_CACHE_HOME: 'relative' }, () => undefined)).toBe('/home/u/.cache/virtcheck')
    expect(userCacheDir({ VIRTCHECK_CACHE: '/srv/vc' })).toBe('/srv/vc')
  })
})

describe('tool outcome cache (keyed by the binary identity)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vc-toolcache-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('answers from the cache for the same binary, misses when the binary changes, keeps only successes', async () => {
    const bin = join(dir, 'tool')
    writeFileSync(bin, 'v1')
    const file = join(dir, 'cache.json')
    const c1 = new ToolOutcomeCache(file)
    const k1 = await c1.keyFor(bin, ['--version'])
    expect(k1).toBeDefined()
    await c1.put(k1 as string, { kind: 'exited', exitCode: 0, stdout: 'tool 1.0\n', stderr: '', durationMs: 5 })
    await c1.put((await c1.keyFor(bin, ['--bad'])) as string, { kind: 'exited', exitCode: 2, stdout: '', stderr: 'bad', durationMs: 5 })
    const c2 = new ToolOutcomeCache(file) // a later run reads the file
    expect(await c2.get(k1 as string)).toMatchObject({ kind: 'exited', exitCode: 0, stdout: 'tool 1.0\n' })
    expect(await c2.get((await c2.keyFor(bin, ['--bad'])) as string)).toBeUndefined()
    writeFileSync(bin, 'version two')
    utimesSync(bin, new Date(), new Date(Date.now() + 5000))
    const k2 = await c2.keyFor(bin, ['--version'])
    expect(k2).not.toBe(k1)
    expect(await c2.get(k2 as string)).toBeUndefined()
    expect(await c2.keyFor(join(dir, 'absent'), [])).toBeUndefined()
  })

  it('a live host spawns a cached command only once', async () => {
    const file = join(dir, 'live.json')
    let spawned = 0
    const runner: typeof runBounded = async () => {
      spawned++
      return { kind: 'exited', exitCode: 0, stdout: 'fake 9.9\n', stderr: '', durationMs: 1 }
    }
    const cache = new ToolOutcomeCache(file)
    const a = new RealHost({ timeoutScale: 1, toolCache: cache, runner })
    expect(await a.run(['/bin/sh', '--version'], { cacheByBinary: true })).toMatchObject({ stdout: 'fake 9.9\n' })
    await cache.flushed() // run() does not wait for the write
    const b = new RealHost({ timeoutScale: 1, toolCache: new ToolOutcomeCache(file), runner })
    expect(await b.run(['/bin/sh', '--version'], { cacheByBinary: true })).toMatchObject({ stdout: 'fake 9.9\n' })
    expect(spawned).toBe(1)
    await b.run(['/bin/sh', '--version']) // not marked cacheable: always runs
    expect(spawned).toBe(2)
  })
})
