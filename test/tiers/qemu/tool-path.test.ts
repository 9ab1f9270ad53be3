/**
 * One rule finds tools for the probe and for the tiers (src/core/tool-search.ts): with a PATH that lacks
 * /usr/bin and names a folder outside the standard ones, the probe and the tcg-virtio tier find the
 * same QEMU, the tier runs it, and its config records that absolute path. (Before: the probe searched
 * fixed folders, the tier spawned a bare name through $PATH, so one said ready and the other "not installed".)
 */
import { execa } from 'execa'
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { toolSearchDirs } from '../../../src/core/tool-search.js'
import { qemuMissing, requireAll } from './need.js'

const run = requireAll(await qemuMissing())
const dir = mkdtempSync(join(tmpdir(), 'vc-toolpath-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the tool search rule', () => {
  it('takes absolute $PATH entries first, then the standard folders, each once', () => {
    expect(toolSearchDirs('/opt/q/bin:relative:/usr/bin/:')).toEqual([
      '/opt/q/bin',
      '/usr/bin',
      '/usr/local/sbin',
      '/usr/local/bin',
      '/usr/sbin',
      '/sbin',
      '/bin',
    ])
    expect(toolSearchDirs(undefined)[0]).toBe('/usr/local/sbin')
  })
})

describe.runIf(run)('probe and tier agree on a PATH without /usr/bin', () => {
  it('the probe and a tcg-virtio run find, run and record the same QEMU', async () => {
    const qemu = (await execa('sh', ['-c', 'command -v qemu-system-x86_64'])).stdout.trim()
    const bin = join(dir, 'bin')
    const home = join(dir, 'home')
    await execa('mkdir', ['-p', bin])
    symlinkSync(qemu, join(bin, 'qemu-system-x86_64'))
    const env = { PATH: `${bin}:/nonexistent`, HOME: process.env['HOME'] ?? '/root', NO_COLOR: '1', VIRTCHECK_HOME: home }
    const cli = (args: string[]) =>
      execa(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', ...args], { reject: false, env, extendEnv: false, timeout: 120_000 })

    const probe = await cli(['probe', '--json', '-'])
    const report = JSON.parse(probe.stdout) as {
      findings: { id: string; facts?: { path?: string } }[]
      readiness: { tier: string; ready: boolean }[]
    }
    const found = report.findings.find((f) => f.id === 'software.qemu-system-x86_64')?.facts?.path
    expect(found).toBe(join(bin, 'qemu-system-x86_64')) // the PATH entry, not a standard folder
    expect(report.readiness.find((r) => r.tier === 'tcg-virtio')?.ready).toBe(true)

    const bench = await cli(['bench', '--quick', '--tiers', 'tcg-virtio', '--jobs', 'sys.syscall'])
    expect(bench.stderr).not.toMatch(/not installed/)
    expect(bench.exitCode, bench.stderr).toBe(0)
    const runDir = join(home, 'runs', readdirSync(join(home, 'runs'))[0]!)
    const result = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as {
      tiers: { tier: string; state: string; config?: { qemuBinary?: string } }[]
    }
    const tier = result.tiers.find((t) => t.tier === 'tcg-virtio')
    expect(tier?.state).toBe('completed')
    expect(tier?.config?.qemuBinary).toBe(found)
  }, 120_000)
})
