/** End to end: the CLI as a process (through tsx) against fixtures: exit codes, JSON, bad snapshots. */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { FIXTURE_DIR } from './helpers.js'

const ROOT = join(import.meta.dirname, '..', '..')
const cli = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'entry.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 60_000,
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
const fx = (n: string) => join(FIXTURE_DIR, `${n}.json`)

describe('virtcheck probe (CLI)', () => {
  it('--from a fixture with no fail exits 0 and prints findings and the readiness table', () => {
    const r = cli(['probe', '--from', fx('this-host-kvm-pvm')])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/paravirtual KVM \(PVM\) present/)
    expect(r.out).toMatch(/Tier readiness/)
    expect(r.out).toMatch(/kvm-virtio\s+not ready/)
  })

  it('any fail exits 1; --json - prints one parseable RunReport (probe-only)', () => {
    const r = cli(['probe', '--from', fx('intel-laptop-vtx-disabled-in-firmware'), '--json', '-'])
    expect(r.code).toBe(1)
    const rep = JSON.parse(r.out)
    expect(rep.schema).toBe('virtcheck-run')
    expect(rep.reproduce.mode).toBe('probe-only')
    expect(rep.tiers).toEqual([])
    expect(rep.findings.find((f: { id: string }) => f.id === 'cpu.virt-extensions').status).toBe('fail')
    expect(rep.readiness).toHaveLength(10)
    expect(rep.host.distro).toMatch(/Debian/)
  })

  it('--json without a value means stdout', () => {
    const r = cli(['probe', '--from', fx('arm64-kvm-host'), '--json'])
    expect(JSON.parse(r.out).host.arch).toBe('aarch64')
  })

  it('a corrupt, foreign or newer snapshot is one line on stderr, exit 2, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vc-probe-test-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const cases = {
      'truncated.json': '{"format":"virtcheck-host-snap',
      'foreign.json': JSON.stringify({ schema: 'virtcheck-run', findings: [] }),
      'newer.json': JSON.stringify({ format: 'virtcheck-host-snapshot', version: '9.0' }),
    }
    for (const [name, text] of Object.entries(cases)) {
      writeFileSync(join(dir, name), text)
      const r = cli(['probe', '--from', join(dir, name)])
      expect(r.code, name).toBe(2)
      expect(r.err, name).toMatch(/^error: /)
      expect(r.err, name).not.toMatch(/\n\s+at /)
      expect(r.err.trim().split('\n').length, name).toBeLessThanOrEqual(2)
    }
    const missing = cli(['probe', '--from', join(dir, 'nope.json')])
    expect(missing.code).toBe(2)
    expect(missing.err).toMatch(/no such file/)
  })

  it('unknown flags are a usage error (exit 2)', () => {
    const r = cli(['probe', '--bogus'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/bogus/)
    expect(cli(['probe', '--deep', '--from', fx('arm64-kvm-host')]).code).toBe(2)
    const noDeep = cli(['probe', '--deep-tiers', 'kvm-virtio'])
    expect(noDeep.code).toBe(2)
    expect(noDeep.err).toMatch(/--deep-tiers needs --deep/)
    const unknownTier = cli(['probe', '--deep', '--deep-tiers', 'kvm-virtio,warp-drive'])
    expect(unknownTier.code).toBe(2)
    expect(unknownTier.err).toMatch(/unknown tier "warp-drive"/)
    expect(unknownTier.err).not.toMatch(/\n\s+at /)
  })

  it('a bad VIRTCHECK_SLOWNESS is one line and exit 2', () => {
    const r = cli(['probe', '--from', fx('this-host-kvm-pvm')], { VIRTCHECK_SLOWNESS: 'fast' })
    expect(r.code).toBe(2)
    expect(r.err.trim().split('\n')[0]).toMatch(/VIRTCHECK_SLOWNESS must be a number from 1 to 1000, got "fast"/)
    expect(r.err).not.toMatch(/\n\s+at /)
  })
})
