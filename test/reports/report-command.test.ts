import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'
import { fixturePath, fixtureText } from './helpers/fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'virtcheck-report-cmd-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const virtcheck = (...argv: string[]) => runCli(argv, dir)

describe('virtcheck report', () => {
  it('prints the summary and terminal matrix by default', async () => {
    const r = await virtcheck('report', fixturePath('pvm-host.json'))
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/6 of 10 tiers ready/)
    expect(r.stdout).toMatch(/^job metric\s+native\s+container/m)
    expect(r.stderr).toBe('')
  })

  it('writes several outputs at once, one to stdout', async () => {
    mkdirSync(join(dir, 'out')) // the folder of a named file must exist: virtcheck never creates it
    const r = await virtcheck('report', fixturePath('pvm-host.json'), '--html', 'out/r.html', '--junit', 'out/r.xml', '--md', '-')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^## virtcheck/)
    expect(readFileSync(join(dir, 'out', 'r.html'), 'utf8')).toContain('<section id="matrix">')
    expect(existsSync(join(dir, 'out', 'r.xml'))).toBe(true)
    expect(r.stderr).toMatch(/html written to .*r\.html/)
  })

  it('merges several hosts into one page', async () => {
    const r = await virtcheck('report', fixturePath('pvm-host.json'), fixturePath('bare-metal-kvm.json'), '--html', 'm.html', '--terminal')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('bm-kvm-07')
    expect(readFileSync(join(dir, 'm.html'), 'utf8')).toContain('2 hosts compared')
  })

  it.each([
    [
      'truncated',
      () => writeFileSync(join(dir, 't.json'), fixtureText('pvm-host.json').slice(0, 999)),
      't.json',
      /t\.json: file is truncated/,
    ],
    ['foreign', () => writeFileSync(join(dir, 'f.json'), '{"name":"x"}'), 'f.json', /f\.json: not a virtcheck run report/],
    [
      'snapshot',
      () => writeFileSync(join(dir, 's.json'), '{"format":"virtcheck-host-snapshot"}'),
      's.json',
      /s\.json: this is a host snapshot/,
    ],
    [
      'newer',
      () => writeFileSync(join(dir, 'n.json'), fixtureText('pvm-host.json').replace('"schemaVersion": "1.0"', '"schemaVersion": "3.0"')),
      'n.json',
      /newer than this virtcheck reads/,
    ],
    ['missing', () => undefined, 'missing.json', /missing\.json: cannot read run report: no such file/],
  ])('refuses a %s file with one line and exit 2', async (_what, setup, file, message) => {
    setup()
    const r = await virtcheck('report', join(dir, file), '--html', 'never.html')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2) // error + optional hint, no stack
    expect(existsSync(join(dir, 'never.html'))).toBe(false)
  })

  it('refuses usage mistakes', async () => {
    expect((await virtcheck('report')).code).toBe(2)
    expect((await virtcheck('report', fixturePath('pvm-host.json'), '--md', '-', '--json', '-')).stderr).toMatch(
      /only one output can go to stdout/,
    )
    expect(
      (await virtcheck('report', fixturePath('pvm-host.json'), fixturePath('bare-metal-kvm.json'), '--json', 'x.json')).stderr,
    ).toMatch(/--json takes a single run report/)
    expect((await virtcheck('report', fixturePath('pvm-host.json'), '--pdf', 'x')).code).toBe(2)
  })
})
