import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'
import { cell, runReport } from '../compare/fixtures.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'virtcheck-history-test-'))
  const medians = [1000, 1010, 990, 1005, 995, 850]
  for (const [i, m] of medians.entries()) {
    const r = {
      ...runReport({ cells: [cell({ job: 'cpu.int', metric: 'ops', samples: [m * 0.99, m, m * 1.01, m, m] })] }),
      startedAt: `2025-02-0${i + 1}T00:00:00.000Z`,
    }
    await writeFile(join(dir, `r${i}.json`), JSON.stringify(r))
  }
  await writeFile(join(dir, 'partial.json'), JSON.stringify({ ...runReport({ cells: [] }), partial: true }))
  // native and container, the whole host 15% slower in the last run
  for (const [i, m] of medians.entries()) {
    const samples = (f: number) => [m * f * 0.99, m * f, m * f * 1.01, m * f, m * f]
    const r = runReport({
      cells: [
        cell({ job: 'cpu.int', metric: 'ops', samples: samples(1) }),
        cell({ tier: 'container', job: 'cpu.int', metric: 'ops', samples: samples(0.95) }),
      ],
    })
    await writeFile(join(dir, `both${i}.json`), JSON.stringify({ ...r, startedAt: `2025-02-0${i + 1}T00:00:00.000Z` }))
  }
  await writeFile(
    join(dir, 'container-only.json'),
    JSON.stringify(runReport({ cells: [cell({ tier: 'container', job: 'cpu.int', metric: 'ops', samples: [1, 1, 1] })] })),
  )
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('virtcheck history', () => {
  it('add, report (html + md + exit policy) and export', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await runCli(['history', 'add', `r${i}.json`, '--dir', 'h', '--label', `nightly ${i}`, '--commit', `abc123${i}`], dir)
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/^added 000\d-2025020\dT000000Z \(nightly \d\) @ abc123\d to /)
    }
    const dup = await runCli(['history', 'add', 'r0.json', '--dir', 'h'], dir)
    expect(dup.code).toBe(2)
    expect(dup.stderr).toMatch(/already in/)
    const index = JSON.parse(await readFile(join(dir, 'h', 'index.json'), 'utf8')) as {
      entries: { label: string; commit: string; file: string }[]
    }
    expect(index.entries).toHaveLength(6)
    expect(index.entries[5]).toMatchObject({ label: 'nightly 5', commit: 'abc1235', file: expect.stringMatching(/^runs\/0006-/) })

    const rep = await runCli(['history', 'report', '--dir', 'h', '--html', 'trend.html', '--md', 'trend.md', '--fail-on-regression'], dir)
    expect(rep.code).toBe(1)
    expect(rep.stdout).toMatch(/1 regression\(s\)/)
    expect(rep.stdout).toMatch(/regressed native cpu\.int ops: 850\.0 ops\/s vs baseline 1000/)
    expect(await readFile(join(dir, 'trend.html'), 'utf8')).toContain('nightly 5')
    expect(await readFile(join(dir, 'trend.md'), 'utf8')).toContain('| regressed |')

    const gab = await runCli(['history', 'export', '--dir', 'h', '--format', 'github-action-benchmark', '--direction', 'bigger'], dir)
    expect(gab.code).toBe(0)
    expect(JSON.parse(gab.stdout)).toEqual([expect.objectContaining({ name: 'native/cpu.int/ops', value: 850 })])
    const bencher = await runCli(['history', 'export', 'r0.json', '--format', 'bencher', '--out', 'b.json'], dir)
    expect(bencher.code).toBe(0)
    expect(JSON.parse(await readFile(join(dir, 'b.json'), 'utf8'))).toHaveProperty(['native/cpu.int', 'ops (ops/s)', 'value'], 1000)
  })
  it('report --relative-to native: a host slower for every tier is no regression of the container', async () => {
    for (let i = 0; i < 6; i++) expect((await runCli(['history', 'add', `both${i}.json`, '--dir', 'hb'], dir)).code).toBe(0)
    const abs = await runCli(['history', 'report', '--dir', 'hb', '--fail-on-regression'], dir)
    expect(abs.code).toBe(1)
    expect(abs.stdout).toMatch(/regressed container cpu\.int ops/)
    const rel = await runCli(['history', 'report', '--dir', 'hb', '--relative-to', 'native', '--md', '-', '--fail-on-regression'], dir)
    expect(rel.code, rel.stderr).toBe(0)
    expect(rel.stderr).toMatch(/6 runs, 1 series; latest run: no regression/)
    expect(rel.stdout).toMatch(/series: ratio of each tier to native in the same run/)
    expect(rel.stdout).toMatch(/× native/)
    expect((await runCli(['history', 'add', 'container-only.json', '--dir', 'hc'], dir)).code).toBe(0)
    const none = await runCli(['history', 'report', '--dir', 'hc', '--relative-to', 'native'], dir)
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^error: --relative-to native: .*hc: no run in the history measured native\n/)
  })
  it('bad input is one line and exit 2', async () => {
    for (const argv of [
      ['history'],
      ['history', 'frob'],
      ['history', 'report', '--dir', 'nope'],
      ['history', 'export', '--dir', 'h'],
      ['history', 'add', 'missing.json', '--dir', 'h'],
      ['history', 'add', 'partial.json', '--dir', 'h'],
      ['history', 'add', 'r0.json', '--dir', 'h2', '--commit', 'auto'], // the temp folder is not a git work tree
      ['history', 'export', '--dir', 'h', '--format', 'bencher', '--direction', 'bigger'],
    ]) {
      const r = await runCli(argv, dir)
      expect(r.code, argv.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^error: /)
    }
  })
})
