import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'
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
  it('one baseline run, raw values: the -30% is drift?, exit 0; --fail-on drift exits 1 with Markdown, JSON and JUnit written', async () => {
    const quiet = await runCli(['compare', 'base.json', 'slow.json', '--md', 'q.md', '--junit', 'q.xml'], dir)
    expect(quiet.code, quiet.stderr).toBe(0)
    expect(quiet.stdout).toMatch(/drift\?\s+native cpu\.int ops: median -30\.\d% worse .*unconfirmed: single baseline run/)
    expect(await readFile(join(dir, 'q.md'), 'utf8')).toMatch(/\| 🟠 drift\? \| native \| cpu\.int/)
    expect(await readFile(join(dir, 'q.xml'), 'utf8')).toMatch(/failures="0"/)
    const r = await runCli(
      ['compare', 'base.json', 'slow.json', '--fail-on', 'drift', '--md', 'c.md', '--json', 'c.json', '--junit', 'c.xml'],
      dir,
    )
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/FAIL \(--fail-on drift\): 1 worse but possibly run-to-run drift/)
    expect(await readFile(join(dir, 'c.md'), 'utf8')).toMatch(/❌ 1 worse but possibly run-to-run drift/)
    const j = JSON.parse(await readFile(join(dir, 'c.json'), 'utf8')) as {
      failed: boolean
      head: { label: string }
      schemaVersion: string
      summary: object
    }
    expect(j).toMatchObject({
      failed: true,
      head: { label: 'pr-42' },
      schemaVersion: '1.3',
      summary: { regressed: 0, drift: 1, driftWorse: 1 },
    })
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
  it('a multi-run baseline: several files or a history folder; the head run in the history is not its own baseline', async () => {
    const at = (name: string, cpu: number, minute: number) =>
      writeFile(join(dir, name), JSON.stringify({ ...runReport({ cells: cells(cpu) }), startedAt: `2025-01-01T00:0${minute}:00.000Z` }))
    await at('h1.json', 1000, 1)
    await at('h2.json', 1010, 2)
    await at('h3.json', 990, 3)
    await at('h4.json', 700, 4)
    const files = await runCli(['compare', 'h1.json', 'h2.json', 'h3.json', 'h4.json', '--json', '-'], dir)
    expect(files.code, files.stderr).toBe(1)
    const j = JSON.parse(files.stdout) as {
      base: { runs: number; source: string }
      cells: { job: string; verdict: string; numbers: { baseRuns: number; runToRun?: object } }[]
    }
    expect(j.base).toMatchObject({ runs: 3, source: 'h1.json, h2.json, h3.json (3 runs)' })
    const cpu = j.cells.find((c) => c.job === 'cpu.int')!
    expect(cpu).toMatchObject({ verdict: 'regressed', numbers: { baseRuns: 3 } })
    expect(cpu.numbers.runToRun).toBeDefined()
    for (const f of ['h1.json', 'h2.json', 'h3.json', 'h4.json'])
      expect((await runCli(['history', 'add', f, '--dir', 'hist'], dir)).code).toBe(0)
    // 2 runs are too few for a run-to-run band: the raw-value change is drift?
    const hist = await runCli(['compare', 'hist', 'h4.json', '--window', '2', '--fail-on', 'drift'], dir)
    expect(hist.code, hist.stderr).toBe(1)
    expect(hist.stdout).toMatch(/unconfirmed: 2 baseline runs, too few for a run-to-run band/)
    expect(hist.stdout).toMatch(/hist \(3 runs\)/)
    expect(hist.stdout).toMatch(/16 \(2 runs\)\/8/)
    const missing = await runCli(['compare', 'empty-dir-nope', 'h4.json'], dir)
    expect(missing.code).toBe(2)
  })
  it('both files missing: the base, named first, is the one reported', async () => {
    const r = await runCli(['compare', 'nobase.json', 'nohead.json'], dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/nobase\.json/)
    expect(r.stderr).not.toMatch(/nohead/)
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
