// `virtcheck gate` end to end with the real native tier: bench, compare with a baseline, re-measure the
// regressions, fail only on those that reproduce. Needs the built vcwork (npm run build).
import { execa } from 'execa'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

// The built-in container tier needs root; CI (.ci/run, CI=true) runs as root and must not skip.
const isRoot = process.getuid?.() === 0
const ci = process.env['CI'] === 'true'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'virtcheck-gate-test-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

interface GateJson {
  failed: boolean
  notes: string[]
  cells: { job: string; verdict: string; reason: string; confirmation?: { verdict: string; source: string } }[]
}

/** The three baseline runs the first test writes (this host's run, every latency divided by about 4). */
const HISTORY = ['fast-base.json', 'fast-base2.json', 'fast-base3.json']
/** What every gate here measures: native's syscall latency, 5 repetitions. */
const SYSCALL = ['--tiers', 'native', '--jobs', 'sys.syscall', '--reps', '5']

describe('virtcheck gate', () => {
  it('a baseline four times as fast as this host: the regression is measured again and confirmed, exit 1', async () => {
    const base = await runCli(['bench', ...SYSCALL, '--json', 'base.json'], dir)
    expect(base.code, base.stderr).toBe(0)
    // The same run with every latency quartered: this host now looks 4x slower than its "baseline".
    // (Halved was not enough: under the full suite's load, QEMU boots in other test files, the base
    // bench once ran 2x slower than the gate's run right after it, and the gate rightly saw no change.)
    // Three such baseline runs (a history, as the CI recipes keep): with one, a raw-value change is only
    // drift? (the last test below).
    const run = JSON.parse(await readFile(join(dir, 'base.json'), 'utf8')) as {
      startedAt: string
      results: { samples: number[]; stats: { median: number } }[]
    }
    const original = run.results.map((r) => r.samples)
    for (const [i, [name, div]] of (
      [
        ['fast-base.json', 4],
        ['fast-base2.json', 4.1],
        ['fast-base3.json', 3.9],
      ] as const
    ).entries()) {
      run.results.forEach((r, k) => (r.samples = original[k]!.map((x) => x / div)))
      for (const r of run.results) r.stats = { ...r.stats, median: [...r.samples].sort((a, b) => a - b)[Math.floor(r.samples.length / 2)]! }
      run.startedAt = `2025-01-0${i + 1}T00:00:00.000Z`
      await writeFile(join(dir, name), JSON.stringify(run))
    }
    const r = await runCli(['gate', ...HISTORY, ...SYSCALL, '--confirm-delay', '0', '--result', 'head.json', '--json', 'gate.json'], dir)
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toMatch(/sys\.syscall/) // the matrix of the run
    expect(r.stderr).toMatch(/gate: 1 regression\(s\); measuring native \/ sys\.syscall again in 0 s/)
    const g = JSON.parse(await readFile(join(dir, 'gate.json'), 'utf8')) as GateJson
    expect(g.failed).toBe(true)
    expect(g.cells[0]).toMatchObject({ job: 'sys.syscall', verdict: 'regressed', confirmation: { verdict: 'regressed' } })
    // two rounds by default: the second and the third run both reproduce it
    expect(g.cells[0]!.reason).toMatch(/confirmed by a second run 0 s later .*; confirmed by a third run 0 s later/)
    expect(g.notes.join('\n')).toMatch(
      /confirmation 1: .*1 confirmed, 0 did not reproduce\nconfirmation 2: .*1 confirmed, 0 did not reproduce/,
    )
    // the run itself went to --result, an ordinary run report
    expect(JSON.parse(await readFile(join(dir, 'head.json'), 'utf8'))).toHaveProperty('schema', 'virtcheck-run')
  })

  it('--no-confirm reports the first comparison as it is', async () => {
    const r = await runCli(['gate', ...HISTORY, ...SYSCALL, '--no-confirm', '--json', '-'], dir)
    expect(r.code).toBe(1)
    const g = JSON.parse(r.stdout) as GateJson
    expect(g.cells[0]!.confirmation).toBeUndefined()
    expect(r.stderr).not.toMatch(/again in/)
  })

  it.skipIf(!isRoot && !ci)(
    '--relative-to native: a CPU quota on the container is caught as a ratio to native, confirmed with native measured again',
    async () => {
      // A quota
      // only bites when the CPU is free: under the full suite's load native itself got about half a CPU,
      // so 50% left the ratio unchanged (seen); 10% stays well below what native gets. 10 repetitions,
      // not 6: in one clean-clone CI run under the suite's load, the container's ratios spread so widely
      // (its CI ±880%) that 6 against 6 gave p = 0.065 for a -83% median ratio: inconclusive, no
      // confirmation, exit 0.
      const bench = ['--tiers', 'native,container', '--jobs', 'cpu.int', '--reps', '10']
      const base = await runCli(['bench', ...bench, '--json', 'rel-base.json'], dir)
      expect(base.code, base.stderr).toBe(0)
      const r = await runCli(
        [
          'gate',
          'rel-base.json',
          ...bench,
          '--tier-opt',
          'container.cpu-quota=10',
          '--ignore-config',
          'cpuQuotaPct',
          '--relative-to',
          'native',
          '--confirm-delay',
          '0',
          '--confirm-runs',
          '1',
          '--json',
          'rel.json',
        ],
        dir,
      )
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1)
      expect(r.stderr).toMatch(/measuring native, container \/ cpu\.int again in 0 s/)
      const g = JSON.parse(await readFile(join(dir, 'rel.json'), 'utf8')) as { cells: { tier: string; unit: string; verdict: string }[] }
      // native is judged on its raw values (one baseline run: at most drift?, which does not fail)
      expect(g.cells.find((c) => c.tier === 'native')?.verdict).not.toBe('regressed')
      expect(g.cells.find((c) => c.tier === 'container')).toMatchObject({
        unit: '× native',
        verdict: 'regressed',
        confirmation: { verdict: 'regressed' },
      })
    },
  )

  it('Ctrl-C during the confirmation pause: exit 130, and the comparison so far is written, marked unconfirmed', async () => {
    // node itself (not npx) so the signal reaches virtcheck as a terminal's Ctrl-C would; the built CLI
    // (npm test builds first), since tsx would be looked up from the temporary folder
    const child = execa(
      'node',
      [
        join(import.meta.dirname, '../../bin/virtcheck.js'),
        'gate',
        ...HISTORY,
        ...SYSCALL,
        '--confirm-delay',
        '60',
        '--md',
        'int.md',
        '--json',
        'int.json',
      ],
      { cwd: dir, reject: false, env: { NO_COLOR: '1', VIRTCHECK_HOME: join(dir, '.virtcheck') }, timeout: 120_000 },
    )
    let sent = false
    child.stderr!.on('data', (c: Buffer) => {
      if (!sent && c.toString().includes('again in 60 s')) {
        sent = true
        child.kill('SIGINT')
      }
    })
    const r = await child
    expect(r.exitCode, r.stderr).toBe(130)
    const g = JSON.parse(await readFile(join(dir, 'int.json'), 'utf8')) as GateJson
    expect(g.cells[0]).toMatchObject({ job: 'sys.syscall', verdict: 'regressed' })
    expect(g.cells[0]!.confirmation).toBeUndefined()
    expect(g.notes.at(-1)).toBe('interrupted during confirmation 1: the 1 regressed cell(s) below were not confirmed by that round')
    const md = await readFile(join(dir, 'int.md'), 'utf8')
    expect(md).toMatch(/^## virtcheck compare: ❌ interrupted before the confirmation: 1 regressed, unconfirmed$/m)
    expect(md).toMatch(/interrupted during confirmation 1/)
  }, 120_000)

  it('one baseline run: the raw-value slowdown is drift? and passes; --fail-on drift measures it again and fails', async () => {
    const quiet = await runCli(['gate', 'fast-base.json', ...SYSCALL, '--json', '-'], dir)
    expect(quiet.code, quiet.stderr).toBe(0)
    expect((JSON.parse(quiet.stdout) as GateJson).cells[0]).toMatchObject({ job: 'sys.syscall', verdict: 'drift' })
    expect(quiet.stderr).not.toMatch(/again in/)
    const r = await runCli(
      ['gate', 'fast-base.json', ...SYSCALL, '--fail-on', 'drift', '--confirm-delay', '0', '--confirm-runs', '1', '--json', '-'],
      dir,
    )
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).toMatch(
      /gate: 0 regression\(s\) and 1 worse drift\? cell\(s\) \(--fail-on drift\); measuring native \/ sys\.syscall again in 0 s/,
    )
    const g = JSON.parse(r.stdout) as GateJson
    expect(g.cells[0]).toMatchObject({ verdict: 'drift', confirmation: { verdict: 'drift' } })
  })

  it('a baseline from another host: exit 2 in one line, and the comparison that says why is still written', async () => {
    const run = JSON.parse(await readFile(join(dir, 'fast-base.json'), 'utf8')) as { host: { hostname: string } }
    run.host.hostname = 'another-host'
    await writeFile(join(dir, 'other-host.json'), JSON.stringify(run))
    const r = await runCli(
      ['gate', 'other-host.json', '--tiers', 'native', '--jobs', 'sys.syscall', '--reps', '3', '--md', 'other.md', '--junit', 'other.xml'],
      dir,
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error: gate: the runs are not comparable: host hostname: "another-host" -> /m)
    const md = await readFile(join(dir, 'other.md'), 'utf8')
    expect(md).toMatch(/^## virtcheck compare: ❌ not comparable \(1 difference\(s\)\): nothing was judged$/m)
    expect(md).toMatch(/another-host/)
    expect(await readFile(join(dir, 'other.xml'), 'utf8')).toMatch(
      /<testcase classname="virtcheck.compare.comparability" name="baseline and head are comparable" time="0"><failure message="not comparable: host hostname/,
    )
  })

  it('bad input fails in one line with exit 2 before any benchmark runs', async () => {
    // a baseline without native cannot be compared relative to native
    await writeFile(
      join(dir, 'no-native.json'),
      (await readFile(join(dir, 'fast-base.json'), 'utf8')).replaceAll('"native"', '"container"'),
    )
    for (const argv of [
      ['gate'],
      ['gate', 'nope.json'],
      ['gate', 'fast-base.json', '--confirm-delay', '-1'],
      ['gate', 'fast-base.json', '--confirm-runs', '0'],
      ['gate', 'fast-base.json', '--tiers', 'nosuch'],
      ['gate', 'fast-base.json', '--tiers', 'container', '--relative-to', 'native'],
      ['gate', 'no-native.json', '--tiers', 'native', '--relative-to', 'native'],
    ]) {
      const r = await runCli(argv, dir)
      expect(r.code, argv.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/^error: gate|^error: .*nope\.json/)
      expect(r.stderr).not.toMatch(/virtcheck bench \(/)
    }
  })
})
