import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../compare/run-cli.js'
import { cell, runReport } from '../compare/fixtures.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'virtcheck-history-test-'))
  const medians = [1000, 1010, 990, 1005, 995, 850]
  for (const [i, m] of medians.entries()) {
    const r = { ...runReport({ cells: [cell({ job: 'cpu.int', metric: 'ops', samples: [m * 0.99, m, m * 1.01, m, m] })] }), startedAt: `2025-02-0${i + 1}T00:00:00.000Z` }
    await writeFile(join(dir, `r${i}.json`), JSON.stringify(r))
  }
  await writeFile(join(dir, 'partial.json'), JSON.stringify({ ...runReport({ cells: [] }), partial: true }))
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
    const index = JSON.parse(await readFile(join(dir, 'h', 'index.json'), 'utf8')) as { entries: { label: string; commit: string; file: string }[] }
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
