/**
 * NFD feature file: NFD's label rules re-stated as a checker (tested on both sides), the label set on
 * every fixture host and on this machine, and hostile host strings that try to break or inject lines.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'
import type { Finding } from '../../src/core/finding.js'
import type { HostContext } from '../../src/core/report.js'
import { TIER_IDS, type TierReadiness } from '../../src/core/tier.js'
import { buildNfdSet, DEFAULT_NFD_PREFIX, parseNfdPrefix, toFeatureValue, toLabelValue } from '../../src/fleet/nfd-labels.js'
import { checkNfdFile, parseNfdFile, renderNfdFile } from '../../src/fleet/nfd-file.js'
import { isAllowedNamespace, isValidLabel, isValidLabelName, isValidLabelValue, labelKeyProblem } from '../../src/fleet/nfd-rules.js'
import { probeFixture } from '../probes/helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'virtcheck-nfd-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const virtcheck = (...argv: string[]) => runCli(argv, dir)

const host = (over: Partial<HostContext> = {}): HostContext => ({
  hostname: 'h1',
  cpuModel: 'AMD EPYC 7B13',
  cpuCores: 8,
  memoryBytes: 1,
  kernel: '6.1.0+deb12',
  distro: 'Debian GNU/Linux 12',
  arch: 'x86_64',
  virtRole: 'bare metal',
  nodeVersion: 'v20',
  ...over,
})
const f = (id: string, status: Finding['status'], facts: Finding['facts']): Finding =>
  ({
    id,
    area: 'kvm',
    title: id,
    status,
    summary: 's',
    evidence: [],
    facts,
    ...(status === 'warn' || status === 'fail' ? { remediation: { summary: 'fix' } } : {}),
  }) as Finding
const render = (set: ReturnType<typeof buildNfdSet>) =>
  renderNfdFile(set, { expiresAt: new Date('2030-01-01T00:00:00Z'), generatedBy: 'test' }).text

describe('NFD label rules (the checker itself)', () => {
  it('accepts what Kubernetes accepts', () => {
    for (const n of ['a', 'A9', 'virtcheck-kvm.usable', 'x_y.z-1', 'a'.repeat(63)]) expect(isValidLabelName(n), n).toBe(true)
    for (const v of ['', 'true', 'kvm_pvm', '6.1.0-deb12', 'v'.repeat(63)]) expect(isValidLabelValue(v), v).toBe(true)
    expect(isValidLabel('feature.node.kubernetes.io/virtcheck-kvm.usable', 'true')).toBe(true)
    expect(isValidLabel('example.com/x', 'y')).toBe(true)
    expect(isAllowedNamespace('sub.feature.node.kubernetes.io')).toBe(true)
    expect(isAllowedNamespace('profile.node.kubernetes.io')).toBe(true)
  })
  it('refuses what NFD would drop', () => {
    for (const n of ['', '-a', 'a-', '.a', 'a_', 'a b', 'a=b', 'a/b', 'é', 'a'.repeat(64), 'a\nb'])
      expect(isValidLabelName(n), JSON.stringify(n)).toBe(false)
    for (const v of ['6.1.0+deb12', 'AMD EPYC 7B13', '/dev/kvm', '-x', 'x.', 'v'.repeat(64), 'a\nb', 'ü'])
      expect(isValidLabelValue(v), JSON.stringify(v)).toBe(false)
    expect(labelKeyProblem('kvm.usable')).toBe('no-namespace')
    expect(labelKeyProblem('kubernetes.io/x')).toBe('denied-namespace')
    expect(labelKeyProblem('node.kubernetes.io/x')).toBe('denied-namespace')
    expect(labelKeyProblem('Feature.Example.com/x')).toBe('bad-namespace')
    expect(labelKeyProblem(`${'a'.repeat(254)}/x`)).toBe('bad-namespace')
    expect(labelKeyProblem('example.com/-x')).toBe('bad-name')
  })
  it('the file checker reads like nfd-worker and finds bad lines, directives and sizes', () => {
    expect(checkNfdFile('# c\nexample.com/a=b\n# +no-label\nexample.com/b=free text ok\n')).toEqual([])
    expect(checkNfdFile('example.com/a=b c\n')[0]).toMatch(/invalid label/)
    expect(checkNfdFile('# +bogus\n')[0]).toMatch(/unknown directive/)
    expect(checkNfdFile('# +expiry-time=tomorrow\n')[0]).toMatch(/RFC 3339/)
    expect(checkNfdFile(`example.com/a=${'b'.repeat(70000)}\n`).some((p) => /NFD ignores files/.test(p))).toBe(true)
    const p = parseNfdFile('example.com/flag\n')
    expect(p.labels.get('example.com/flag')).toBe('true')
  })
  it('prefixes: default accepted, reserved or malformed refused', () => {
    expect(parseNfdPrefix(DEFAULT_NFD_PREFIX)).toEqual({ ns: 'feature.node.kubernetes.io', namePrefix: 'virtcheck-' })
    expect(parseNfdPrefix('virtcheck.example.com/')).toEqual({ ns: 'virtcheck.example.com', namePrefix: '' })
    for (const bad of ['kubernetes.io/v-', 'noslash', 'Bad_NS/x', 'example.com/-lead', 'example.com/a b', `example.com/${'x'.repeat(41)}`])
      expect(parseNfdPrefix(bad), bad).toHaveProperty('problem')
  })
})

describe('NFD label values from hostile host strings', () => {
  const hostile = [
    'docker\nfeature.node.kubernetes.io/virtcheck-kvm.usable=true',
    '\r\n# +expiry-time=2099-01-01T00:00:00Z\r\n',
    'a=b=c',
    '--leading-dashes--',
    'ünïcødé ☃ 𝔘',
    'x'.repeat(200),
    '\u2028line\u2029sep\u0085',
    '   ',
    '#comment',
  ]
  it('normalised label values are valid or absent, never multi-line', () => {
    for (const s of hostile) {
      const v = toLabelValue(s)
      if (v !== undefined) expect(isValidLabelValue(v), JSON.stringify(s)).toBe(true)
      expect(toFeatureValue(s)).not.toMatch(/[\n\r\u2028\u2029\u0085]/)
    }
    expect(toLabelValue('6.1.0+deb12')).toBe('6.1.0-deb12')
    expect(toLabelValue('--x--')).toBe('x')
    expect(toLabelValue('ü')).toBeUndefined()
    expect(toLabelValue('x'.repeat(200))).toHaveLength(63)
  })
  it("a host full of hostile strings yields a file with only virtcheck's own keys and no injected line", () => {
    for (const s of hostile) {
      const findings = [
        f('environment.vm', 'pass', { role: 'vm', vendor: s }),
        f('environment.container', 'pass', { role: 'container', container: s }),
        f('kvm.device', 'fail', { present: false }),
        f('kvm.module', 'pass', { module: s, kind: 'hardware' }),
        f('cgroups.mode', 'pass', { mode: s }),
        f('software.qemu-system-x86_64', 'pass', { version: s }),
      ]
      const readiness: TierReadiness[] = TIER_IDS.map((tier) => ({
        tier,
        ready: false,
        summary: s,
        blockedBy: [],
        remediation: { summary: s },
      }))
      const set = buildNfdSet({
        findings,
        readiness,
        host: host({ cpuModel: s, kernel: s, distro: s, virtRole: s, hostname: s }),
        probeVersion: s,
      })
      const text = render(set)
      expect(checkNfdFile(text), JSON.stringify(s)).toEqual([])
      const parsed = parseNfdFile(text)
      // Every key is one virtcheck writes; the injected kvm.usable=true never appears.
      for (const k of [...parsed.labels.keys(), ...parsed.features.keys()]) expect(k.startsWith(DEFAULT_NFD_PREFIX), k).toBe(true)
      expect(parsed.labels.get(`${DEFAULT_NFD_PREFIX}kvm.usable`)).toBe('false')
      expect(parsed.expiry).toBe('2030-01-01T00:00:00Z')
      // One line per entry, one directive per no-label feature, two header lines.
      expect(text.trimEnd().split('\n')).toHaveLength(2 + set.labels.length + 2 * set.features.length)
    }
  })
  it('a prefix long enough to overflow a label name drops that label (reported), never writes it', () => {
    const set = buildNfdSet({ findings: [], readiness: [], host: host(), probeVersion: '0.1.0' }, `example.com/${'p'.repeat(50)}`)
    expect(set.dropped.some((d) => /bad-name/.test(d.reason))).toBe(true)
    expect(checkNfdFile(render(set))).toEqual([])
  })
  it('stays under 64 KiB however many features there are (features go first, labels stay)', () => {
    const base = buildNfdSet({ findings: [], readiness: [], host: host(), probeVersion: '0.1.0' })
    const features = Array.from({ length: 400 }, (_, i) => ({
      key: `${DEFAULT_NFD_PREFIX}extra.${i}`,
      value: toFeatureValue('z'.repeat(300)),
    }))
    const out = renderNfdFile({ ...base, features }, { expiresAt: new Date(), generatedBy: 't' })
    expect(Buffer.byteLength(out.text)).toBeLessThan(65536)
    expect(out.featuresLeftOut).toBeGreaterThan(100)
    expect(parseNfdFile(out.text).labels.size).toBe(base.labels.length)
    expect(checkNfdFile(out.text)).toEqual([])
  })
})

describe('NFD labels on fixture hosts', () => {
  const labelsOf = async (name: string) => {
    const p = await probeFixture(name)
    const text = render(buildNfdSet({ findings: p.findings, readiness: p.readiness, host: host(), probeVersion: '0.1.0' }))
    expect(checkNfdFile(text)).toEqual([])
    const labels = parseNfdFile(text).labels
    return (k: string) => labels.get(DEFAULT_NFD_PREFIX + k)
  }
  it('intel bare metal with VT-x, VT-d and SR-IOV', async () => {
    const l = await labelsOf('intel-baremetal-vtx-ept-vtd-sriov')
    expect(l('host.type')).toBe('bare-metal')
    expect(l('kvm.usable')).toBe('true')
    expect(l('kvm.backend')).toBe('kvm_intel')
    expect(l('iommu.enabled')).toBe('true')
    expect(Number(l('sriov.vfs'))).toBeGreaterThan(0)
    expect(l('tier.kvm-virtio')).toBe('true')
  })
  it('the PVM host: KVM device works but standard guests do not, so kvm.usable=false', async () => {
    const l = await labelsOf('this-host-kvm-pvm')
    expect(l('kvm.backend')).toBe('kvm_pvm')
    expect(l('kvm.usable')).toBe('false')
    expect(l('tier.kvm-virtio')).toBe('false')
  })
  it('a docker container and an arm64 host', async () => {
    expect((await labelsOf('docker-container'))('host.type')).toMatch(/^container-/)
    expect((await labelsOf('arm64-kvm-host'))('cpu.virt')).toBe('arm-el2')
  })
})

describe('virtcheck probe --nfd (this machine)', () => {
  it('writes a valid feature file by rename, leaving no dot-file behind', async () => {
    const file = join(dir, 'features.d', 'virtcheck')
    mkdirSync(join(dir, 'features.d')) // NFD's folder exists; virtcheck never creates it
    const r = await virtcheck('probe', '--nfd', file, '--nfd-ttl', '600')
    expect(r.stderr).toMatch(/NFD feature file written/)
    expect([0, 1]).toContain(r.code)
    const text = readFileSync(file, 'utf8')
    expect(checkNfdFile(text)).toEqual([])
    expect(readdirSync(join(dir, 'features.d'))).toEqual(['virtcheck'])
    expect(statSync(file).size).toBeLessThan(65536)
    const p = parseNfdFile(text)
    expect(p.labels.get(`${DEFAULT_NFD_PREFIX}probe.version`)).toMatch(/^\d+\.\d+\.\d+/)
    const ttl = Date.parse(p.expiry ?? '') - Date.now()
    expect(ttl).toBeGreaterThan(500_000)
    expect(ttl).toBeLessThanOrEqual(600_000)
  }, 60_000)
  it('bad --nfd input exits 2 with one line', async () => {
    for (const args of [
      ['--nfd', join(dir, '.hidden')],
      ['--nfd', join(dir, 'x'), '--nfd-prefix', 'kubernetes.io/x-'],
      ['--nfd', join(dir, 'x'), '--nfd-ttl', '5'],
      ['--nfd-prefix', 'example.com/'],
    ]) {
      const r = await virtcheck('probe', ...args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^error: probe: --nfd/)
    }
  })
})

describe('virtcheck --nfd (the main job)', () => {
  it('refuses a bad --nfd before measuring anything', async () => {
    const t0 = Date.now()
    const r = await virtcheck('--tiers', 'native', '--jobs', 'sys.syscall', '--nfd', join(dir, '.dot'))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error: virtcheck: --nfd .*dot-files/)
    expect(Date.now() - t0).toBeLessThan(5000)
  })
  it("writes the feature file after the run, from the run's findings and readiness", async () => {
    const file = join(dir, 'main', 'virtcheck')
    mkdirSync(join(dir, 'main'))
    const r = await virtcheck('--tiers', 'native', '--jobs', 'sys.syscall', '--nfd', file)
    expect(r.code, r.stderr).toBe(0)
    const p = parseNfdFile(readFileSync(file, 'utf8'))
    expect(p.problems).toEqual([])
    expect(p.labels.get(`${DEFAULT_NFD_PREFIX}tier.native`)).toBe('true')
    expect(r.stderr).toMatch(/NFD feature file written/)
  }, 120_000)
})
