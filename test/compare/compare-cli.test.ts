import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'
import { around, cell, runReport } from './fixtures.js'

let dir: string
const cells = (cpu: number) => [
  cell({ job: 'cpu.int', metric: 'ops', samples: around(cpu, 8, 0.01, 1) }),
  cell({ job: 'sys.syscall', metric: 'latency', unit: 'ns', better: 'lower', samples: around(100, 8, 0.01, 2) }),
]
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'virtcheck-compare-test-'))
  await writeFile(join(dir, 'base.json'), JSON.stringify(runReport({ cells: cells(1000), label: 'main' })))
  await writeFile(join(dir, 'same.json'), JSON.stringify(runReport({ cells: cells(1001) })))
  await writeFile(join(dir, 'slow.json'), JSON.stringify(runReport({ cells: cells(700), label: 'pr-42' })))
  await writeFile(join(dir, 'otherhost.json'), JSON.stringify(runReport({ cells: cells(1000), hostname: 'bench2' })))
  await writeFile(join(dir, 'bad.json'), '{"schema":"virtcheck-run"')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('virtcheck compare', () => {
  it('no regression: exit 0', async () => {
    const r = await runCli(['compare', 'base.json', 'same.json'], dir)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/0 regressed/)
    expect(r.stdout).toMatch(/OK \(--fail-on regression\)/)
  })
  it('regression: exit 1 with Markdown, JSON and JUnit written; --fail-on never exits 0', async () => {
    const r = await runCli(['compare', 'base.json', 'slow.json', '--md', 'c.md', '--json', 'c.json', '--junit', 'c.xml'], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/regressed\s+native cpu\.int ops: median -30\.\d% worse/)
    expect(await readFile(join(dir, 'c.md'), 'utf8')).toMatch(/❌ 1 regressed/)
    const j = JSON.parse(await readFile(join(dir, 'c.json'), 'utf8')) as { failed: boolean; head: { label: string } }
    expect(j).toMatchObject({ failed: true, head: { label: 'pr-42' } })
    expect(await readFile(join(dir, 'c.xml'), 'utf8')).toMatch(/failures="1"/)
    expect((await runCli(['compare', 'base.json', 'slow.json', '--fail-on', 'never'], dir)).code).toBe(0)
  })
  it('--json - sends JSON to stdout and the table to stderr', async () => {
    const r = await runCli(['compare', 'base.json', 'slow.json', '--json', '-'], dir)
    expect(JSON.parse(r.stdout)).toHaveProperty('schema', 'virtcheck-compare')
    expect(r.stderr).toMatch(/regressed/)
  })
  it('a higher threshold turns the 30% drop into no regression', async () => {
    expect((await runCli(['compare', 'base.json', 'slow.json', '--threshold', '40'], dir)).code).toBe(0)
  })
  it('another host is refused (exit 2) unless --force, which marks verdicts', async () => {
    const r = await runCli(['compare', 'base.json', 'otherhost.json'], dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/not comparable: host hostname: "bench1" -> "bench2"/)
    expect(r.stderr).toMatch(/hint: pass --force/)
    const f = await runCli(['compare', 'base.json', 'otherhost.json', '--force', '--verbose'], dir)
    expect(f.code).toBe(0)
    expect(f.stdout).toMatch(/NOT COMPARABLE \(forced/)
    expect(f.stdout).toMatch(/unchanged\*/)
    expect((await runCli(['compare', 'base.json', 'otherhost.json', '--ignore-config', 'host.hostname'], dir)).code).toBe(0)
  })
  it('usage and input errors are one line, exit 2', async () => {
    for (const argv of [
      ['compare', 'base.json'],
      ['compare', 'base.json', 'nope.json'],
      ['compare', 'base.json', 'bad.json'],
      ['compare', 'base.json', 'same.json', '--alpha', '2'],
      ['compare', 'base.json', 'same.json', '--fail-on', 'sometimes'],
      ['compare', 'base.json', 'same.json', '--json', '-', '--md', '-'],
      ['compare', 'base.json', 'same.json', '--frob'],
    ]) {
      const r = await runCli(argv, dir)
      expect(r.code, argv.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/^error: /)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })
})
