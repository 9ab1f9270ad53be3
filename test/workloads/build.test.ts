/**
 * workloads/build.mjs: warning-free static builds, incremental skips, and the aarch64 binary under qemu-user.
 * Under CI=true a missing cross compiler or qemu-user fails (the CI script installs them); elsewhere it skips.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { nativeBinary, PACKAGE_ROOT } from '../../src/host/paths.js'
import { parseVcworkLine, type VcworkLine } from '../../src/core/workload.js'
import { sampleMismatch } from '../../workloads/index.js'

const BUILD = join(PACKAGE_ROOT, 'workloads', 'build.mjs')
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
const CI = process.env['CI'] === 'true'
const hasCross = has('aarch64-linux-gnu-gcc')
const hasQemu = has('qemu-aarch64-static')

const out = mkdtempSync(join(tmpdir(), 'vcwork-build-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

const build = (...args: string[]) => spawnSync(process.execPath, [BUILD, '--out', out, ...args], { encoding: 'utf8' })

describe('workloads/build.mjs', () => {
  it('builds every binary warning-free (-Wall -Wextra -Werror) and skips unchanged inputs', () => {
    const first = build('--force', '--strict')
    expect(first.status, first.stderr).toBe(0)
    expect(first.stderr).not.toMatch(/warning/i)
    expect(first.stderr).toMatch(/built .*x86_64\/vcwork/)
    expect(existsSync(join(out, 'x86_64', 'vcwork'))).toBe(true)
    if (existsSync(join(PACKAGE_ROOT, 'probes', 'native', 'vcprobe.c'))) expect(existsSync(join(out, 'x86_64', 'vcprobe'))).toBe(true)
    if (hasCross) expect(existsSync(join(out, 'aarch64', 'vcwork'))).toBe(true)
    else expect(first.stderr).toMatch(/aarch64 build skipped: aarch64-linux-gnu-gcc not found .*emu-aarch64 tier will not be available/)

    const second = build()
    expect(second.status).toBe(0)
    expect(second.stderr).not.toMatch(/built/)
  })

  it('rejects an unknown option with one line and exit code 2', () => {
    const r = build('--fast')
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('names the Debian package when gcc is missing', () => {
    const r = spawnSync(process.execPath, [BUILD, '--out', out], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } })
    expect(r.status).toBe(1)
    expect(r.stderr.trim()).toBe(
      'vcwork build: gcc not found; install the Debian packages gcc and libc6-dev (apt-get install gcc libc6-dev)',
    )
  })
})

describe('aarch64 vcwork under qemu-user', () => {
  const missing = [...(hasCross ? [] : ['aarch64-linux-gnu-gcc']), ...(hasQemu ? [] : ['qemu-aarch64-static'])]

  it.runIf(CI)('has its toolchain under CI=true', () => {
    expect(missing, 'CI installs gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user-static').toEqual([])
  })

  it.skipIf(missing.length > 0 && !CI)('runs the same jobs and agent protocol as the native binary', () => {
    const b = spawnSync(process.execPath, [BUILD, '--quiet'], { encoding: 'utf8' })
    expect(b.status, b.stderr).toBe(0)
    const bin = nativeBinary('vcwork', 'aarch64')
    expect(spawnSync('file', ['-L', bin], { encoding: 'utf8' }).stdout).toMatch(/ARM aarch64.*statically linked/)
    const run = (args: string[], input?: string): VcworkLine[] => {
      const r = spawnSync('qemu-aarch64-static', [bin, ...args], { encoding: 'utf8', timeout: 30_000, ...(input ? { input } : {}) })
      expect(r.status, r.stdout + r.stderr).toBe(0)
      return r.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const p = parseVcworkLine(l)
          if (!p) throw new Error(`line outside the schema: ${l}`)
          return p
        })
    }
    expect(run(['version'])).toEqual([{ type: 'version', version: expect.any(String), arch: 'aarch64' }])
    for (const args of [
      ['cpu.int', '--target-ms', '20'],
      ['sys.syscall', '--target-ms', '20'],
      ['mem.stream', '--size-mb', '2', '--target-ms', '20'],
    ]) {
      const lines = run(['run', ...args])
      const samples = lines.filter((l) => l.type === 'sample')
      expect(samples.length, args.join(' ')).toBeGreaterThan(0)
      for (const s of samples) if (s.type === 'sample') expect(sampleMismatch(s)).toBeNull()
      expect(lines.at(-1)).toMatchObject({ type: 'summary', env: { arch: 'aarch64' } })
    }
    const agent = run(['agent'], '{"id":1,"job":"cpu.fp","params":{"n":64,"targetMs":10}}\n{"id":2,"op":"quit"}\n')
    expect(agent.map((l) => l.type)).toEqual(['ready', 'sample', 'summary', 'done'])
  })
})
