/** The fleet model and `virtcheck report DIR`: groups, outliers, failed hosts, identities, keys, renderers. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'
import { buildFleet, FLEET_SCHEMA } from '../../src/fleet/fleet-model.js'
import { renderFleetHtml } from '../../reports/fleet/html.js'
import { renderFleetMarkdown } from '../../reports/fleet/markdown.js'
import { fixture, fixtureText } from '../reports/helpers/fixtures.js'
import { CPU_MODELS, KERNELS, syntheticFleet } from './helpers/synthetic-fleet.js'

const dir = mkdtempSync(join(tmpdir(), 'virtcheck-fleet-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const virtcheck = (...argv: string[]) => runCli(argv, dir)

describe('fleet model', () => {
  const synth = syntheticFleet(200, { failed: 4 })
  const fleet = buildFleet(synth.reports, synth.failures)

  it('has every host, failed ones with their reason, grouped by CPU model, kernel and arch', () => {
    expect(fleet.hosts).toHaveLength(200)
    const failed = fleet.hosts.filter((h) => h.state === 'failed')
    expect(failed.map((h) => h.name)).toEqual(synth.failures.map((f) => f.host))
    expect(failed.every((h) => h.failure && h.failure.length > 10)).toBe(true)
    expect(fleet.groups).toHaveLength(CPU_MODELS.length * KERNELS.length)
    expect(fleet.groups.reduce((n, g) => n + g.hosts.length, 0)).toBe(196)
  })

  it('host identity is stable across builds and distinct across hosts', () => {
    const again = buildFleet(synth.reports, synth.failures)
    expect(again.hosts.map((h) => h.id)).toEqual(fleet.hosts.map((h) => h.id))
    expect(new Set(fleet.hosts.map((h) => h.id)).size).toBe(200)
  })

  it('the planted outliers are found, and hosts made alike are not flagged for cost', () => {
    const costOut = new Set(fleet.outliers.filter((o) => o.kind === 'cost' && o.tier === 'kvm-virtio').map((o) => o.host))
    for (const h of synth.slowHosts) expect(costOut.has(h), h).toBe(true)
    // ±5 % noise stays inside the ×1.25 band: only planted hosts stand out on cost
    expect([...costOut].every((h) => synth.slowHosts.includes(h))).toBe(true)
    const readyOut = fleet.outliers.filter((o) => o.kind === 'readiness' && o.tier === 'kvm-virtio').map((o) => o.host)
    for (const h of synth.brokenHosts) expect(readyOut).toContain(h)
    expect(readyOut.every((h) => synth.brokenHosts.includes(h))).toBe(true)
  })

  it("cost is the slowdown versus the host's own native run, per job class", () => {
    const h = fleet.hosts.find((x) => x.name === synth.slowHosts[0])!
    const twin = fleet.hosts.find((x) => x.group === h.group && !synth.slowHosts.includes(x.name) && x.cost['kvm-virtio'])!
    expect(h.cost['kvm-virtio']!['cpu']! / twin.cost['kvm-virtio']!['cpu']!).toBeGreaterThan(1.6)
    expect(twin.cost['tcg-virtio']!['cpu']!).toBeGreaterThan(2) // TCG is far slower than native
    expect(Object.keys(h.cost['kvm-virtio']!)).toEqual(expect.arrayContaining(['all', 'cpu', 'memory']))
  })

  it('comparison keys match across hosts that ran the same configuration', () => {
    const k = fleet.keys.filter((x) => x.tier === 'native' && x.job === 'cpu.int')
    expect(k).toHaveLength(2) // two base fixtures = two configurations
    expect(k.reduce((n, x) => n + x.hosts, 0)).toBe(196)
  })

  it('hostile strings are escaped in HTML and Markdown', () => {
    const f = buildFleet(
      [{ report: fixture('hostile-strings.json'), source: 'x.json' }],
      [{ host: '<img src=x onerror=alert(1)>', reason: '</td><script>alert(2)</script>\n| md', source: 'y' }],
    )
    const html = renderFleetHtml(f, 't')
    expect(html).not.toMatch(/<script>alert|<img src=x/)
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(renderFleetMarkdown(f)).not.toMatch(/<script>|\n\| md/)
  })
})

describe('virtcheck report FOLDER (fleet)', () => {
  const results = join(dir, 'results')
  const put = (host: string, file: string, text: string) => {
    mkdirSync(join(results, host), { recursive: true })
    writeFileSync(join(results, host, file), text)
  }
  put('pvm-runner-01', 'bench.json', fixtureText('pvm-host.json'))
  put('bm-kvm-07', 'bench.json', fixtureText('bare-metal-kvm.json'))
  put('half-written', 'probe.json', fixtureText('pvm-host.json').slice(0, 500))
  put(
    'unreachable-3',
    'failed.json',
    JSON.stringify({
      schema: 'virtcheck-fleet-failure',
      host: 'unreachable-3',
      reason: 'unreachable: ssh: connect to host 10.0.0.3 port 22: No route to host',
    }),
  )

  it('renders every host; damaged files and failure records become failed hosts with their reason', async () => {
    const r = await virtcheck('report', results, '--html', 'fleet.html', '--md', 'fleet.md', '--json', 'fleet.json')
    expect(r.code).toBe(0)
    const html = readFileSync(join(dir, 'fleet.html'), 'utf8')
    for (const h of ['pvm-runner-01', 'bm-kvm-07', 'half-written', 'unreachable-3']) expect(html).toContain(h)
    expect(html).toMatch(/unusable report: .*truncated/)
    expect(html).toContain('No route to host')
    const json = JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8'))
    expect(json.schema).toBe(FLEET_SCHEMA)
    expect(json.hosts.map((h: { name: string; state: string }) => `${h.name}:${h.state}`).sort()).toEqual([
      'bm-kvm-07:ok',
      'half-written:failed',
      'pvm-runner-01:ok',
      'unreachable-3:failed',
    ])
    expect(json.hosts.find((h: { name: string }) => h.name === 'bm-kvm-07').keys['native/cpu.int/rate']).toMatch(/^[0-9a-f]{12}$/)
    expect(readFileSync(join(dir, 'fleet.md'), 'utf8')).toMatch(/\| unreachable-3 \| .* \| failed: unreachable/)
  })

  it('a fleet JSON written into the results folder earlier is not taken for a host', async () => {
    const r1 = await virtcheck('report', results, '--json', join(results, 'fleet.json'))
    expect(r1.code).toBe(0)
    const r2 = await virtcheck('report', results, '--json', '-')
    expect(JSON.parse(r2.stdout).hosts).toHaveLength(4)
    rmSync(join(results, 'fleet.json'))
  })

  it('prints the fleet in the terminal by default and refuses --junit', async () => {
    const r = await virtcheck('report', results)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/virtcheck fleet: 4 hosts — 2 reported, 2 failed/)
    expect(r.stdout).toMatch(/unreachable-3: unreachable/)
    const j = await virtcheck('report', results, '--junit', 'x.xml')
    expect(j.code).toBe(2)
    expect(j.stderr).toMatch(/--junit takes a single run report, not a fleet/)
  })

  it('a folder without reports, or a missing one, is one line and exit 2', async () => {
    mkdirSync(join(dir, 'empty'))
    const e = await virtcheck('report', join(dir, 'empty'))
    expect(e.code).toBe(2)
    expect(e.stderr).toMatch(/no \.json files/)
    const m = await virtcheck('report', join(dir, 'nope'))
    expect(m.code).toBe(2)
  })
})
