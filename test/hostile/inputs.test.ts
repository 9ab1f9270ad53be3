/**
 * Hostile inputs: a FIFO, a device, a directory, an oversized or whitespace-only file, impossible
 * samples, a history index that points outside its folder. Each is one line and exit 2, quickly, and
 * never quotes the contents of a file it should not have read.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from '../../src/cli/main.js'
import { doubledMidRanks, rankSum2AndTies } from '../../src/stats/mann-whitney.js'
import { hodgesLehmann } from '../../src/stats/shift-ci.js'
import { fixturePath } from '../reports/helpers/fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'virtcheck-hostile-in-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = async (...argv: string[]) => {
  const sink = () => {
    let text = ''
    return { s: { write: (t: string) => ((text += t), true), isTTY: false } as unknown as NodeJS.WriteStream, text: () => text }
  }
  const out = sink()
  const err = sink()
  // a hang is the failure being tested: bound it well below the test timeout
  const code = await Promise.race([
    run(argv, { stdout: out.s, stderr: err.s, env: { NO_COLOR: '1', VIRTCHECK_HOME: join(dir, 'home') }, cwd: dir }),
    new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000).unref()),
  ])
  return { code, out: out.text(), err: err.text() }
}

const fifo = join(dir, 'fifo')
execFileSync('mkfifo', [fifo])
const big = join(dir, 'big.json')
writeFileSync(big, '')
truncateSync(big, 65 * 1024 * 1024) // sparse: the cap must refuse it by size, before reading
const spaces = join(dir, 'spaces.json')
writeFileSync(spaces, ' '.repeat(4096))
const pvm = JSON.parse(readFileSync(fixturePath('pvm-host.json'), 'utf8')) as {
  results: { better: string; state: string; samples: number[] }[]
}

const firstLine = (s: string) => s.trim().split('\n')[0] ?? ''

describe('only regular files are read', () => {
  const commands: Record<string, (f: string) => string[]> = {
    report: (f) => ['report', f],
    compare: (f) => ['compare', f, fixturePath('pvm-host.json')],
    'probe --from': (f) => ['probe', '--from', f],
    'history add': (f) => ['history', 'add', f, '--dir', join(dir, 'h-any')],
  }
  for (const [name, argv] of Object.entries(commands)) {
    it(`${name}: a FIFO, /dev/zero and a directory are refused at once`, async () => {
      const cases: [string, RegExp][] = [
        [fifo, /FIFO/],
        ['/dev/zero', /character device/],
      ]
      // compare takes a folder as a baseline (a history folder) and report as a fleet (docs/fleet.md); the others want a file
      if (name !== 'compare' && name !== 'report') cases.push([dir, /directory/])
      for (const [f, why] of cases) {
        const r = await cli(...argv(f))
        expect(r.code, `${f}: ${r.err}`).toBe(2)
        expect(firstLine(r.err)).toMatch(why)
      }
    })
  }
  it('bench --kernel /dev/zero and a FIFO are refused before benchmarking', async () => {
    for (const f of ['/dev/zero', fifo]) {
      const r = await cli('bench', '--tiers', 'native', '--kernel', f)
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/--kernel .*(character device|FIFO).*not a regular file/)
    }
  })
  it('a file over the cap is "too big", whitespace is "not JSON", not "file is empty"', async () => {
    const r = await cli('report', big)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/too big for a run report \(65\.0 MiB; the limit is 64 MiB\)/)
    const s = await cli('report', spaces)
    expect(s.code).toBe(2)
    expect(s.err).toMatch(/not JSON \(the file holds only whitespace\)/)
  })
  it('a JSON error never quotes the file', async () => {
    const f = join(dir, 'passwd-like.json')
    writeFileSync(f, 'root:x:0:0:root:/root:/bin/bash\n')
    const r = await cli('report', f)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/not valid JSON/)
    expect(r.err).not.toMatch(/root:x|bin\/bash/)
  })
})

describe('JSON nested 50 000 levels deep', () => {
  // JSON.parse takes it, but every later walk (validation, the sanitiser, JSON.stringify) recurses:
  // before the depth cap this was "internal error: Maximum call stack size exceeded", exit 1.
  const deep = (n: number) => `${'{"x":'.repeat(n)}1${'}'.repeat(n)}`
  const report = join(dir, 'deep-report.json')
  writeFileSync(report, JSON.stringify({ ...pvm, extra: '@DEEP@' }).replace('"@DEEP@"', deep(50_000)))
  const snapshot = join(dir, 'deep-snapshot.json')
  writeFileSync(snapshot, `{"schema":"virtcheck-host-snapshot","extra":${deep(50_000)}}`)
  const index = join(dir, 'deep-history')
  mkdirSync(index)
  writeFileSync(join(index, 'index.json'), `{"schema":"virtcheck-history","extra":${deep(50_000)}}`)

  it.each([
    { label: 'report FILE', argv: ['report', report] },
    { label: 'report FILE --json -', argv: ['report', report, '--json', '-'] },
    { label: 'compare FILE FILE', argv: ['compare', report, report] },
    { label: 'history add FILE', argv: ['history', 'add', report, '--dir', join(dir, 'deep-add')] },
    { label: 'probe --from SNAPSHOT', argv: ['probe', '--from', snapshot] },
    { label: 'history report (deep index.json)', argv: ['history', 'report', '--dir', index] },
  ])('$label: one line, exit 2', async ({ argv }) => {
    const r = await cli(...argv)
    expect(r.err).not.toMatch(/internal error|stack size/)
    expect(r.code, r.err).toBe(2)
    expect(firstLine(r.err)).toMatch(/nested deeper than 64 levels/)
  })

  it('a real report is far below the cap', async () => {
    expect((await cli('report', fixturePath('pvm-host.json'))).code).not.toBe(2)
  })
})

describe('samples are validated for range', () => {
  const variant = (name: string, edit: (r: (typeof pvm.results)[number]) => void) => {
    const copy = structuredClone(pvm)
    edit(copy.results.find((r) => r.state === 'ok' && r.better === 'lower')!)
    const p = join(dir, name)
    writeFileSync(p, JSON.stringify(copy))
    return p
  }
  it('negative, zero-time and empty samples are refused', async () => {
    for (const [f, why] of [
      [variant('neg.json', (r) => (r.samples[0] = -5)), /cannot be negative/],
      [variant('zero.json', (r) => (r.samples[0] = 0)), /latency sample cannot be 0/],
      [variant('empty.json', (r) => (r.samples = [])), /needs at least one sample/],
    ] as const) {
      for (const argv of [
        ['report', f],
        ['compare', fixturePath('pvm-host.json'), f],
      ]) {
        const r = await cli(...argv)
        expect(r.code, r.err).toBe(2)
        expect(r.err).toMatch(why)
      }
    }
  })
})

describe('history paths stay inside the history folder', () => {
  it('an index entry pointing at ../../etc/shadow is refused, and nothing of it is quoted', async () => {
    const h = join(dir, 'h1')
    expect((await cli('history', 'add', fixturePath('pvm-host.json'), '--dir', h)).code).toBe(0)
    const index = JSON.parse(readFileSync(join(h, 'index.json'), 'utf8')) as { entries: { file: string }[] }
    index.entries[0]!.file = '../../../../../../etc/passwd'
    writeFileSync(join(h, 'index.json'), JSON.stringify(index))
    const r = await cli('history', 'report', '--dir', h, '--md', '-')
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/must be a path inside the history folder/)
    expect(r.err).not.toMatch(/root:/)
  })
  it('a run file that is a symbolic link out of the folder is refused', async () => {
    const h = join(dir, 'h2')
    expect((await cli('history', 'add', fixturePath('pvm-host.json'), '--dir', h)).code).toBe(0)
    const index = JSON.parse(readFileSync(join(h, 'index.json'), 'utf8')) as { entries: { file: string }[] }
    const file = join(h, index.entries[0]!.file)
    rmSync(file)
    mkdirSync(join(dir, 'outside'), { recursive: true })
    writeFileSync(join(dir, 'outside', 'x.json'), readFileSync(fixturePath('pvm-host.json')))
    symlinkSync(join(dir, 'outside', 'x.json'), file)
    const r = await cli('history', 'report', '--dir', h, '--md', '-')
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/leads outside the history folder/)
  })
})

describe('history add of a probe report', () => {
  it('is refused in one line (exit 2): the history keeps bench runs, and nothing is written', async () => {
    const probe = join(dir, 'probe-report.json')
    const snap = join(import.meta.dirname, '..', 'fixtures', 'snapshots', 'this-host-kvm-pvm.json')
    expect([0, 1]).toContain((await cli('probe', '--from', snap, '--json', probe)).code)
    const h = join(dir, 'h-probe')
    const r = await cli('history', 'add', probe, '--dir', h)
    expect(r.code).toBe(2)
    const [message, ...rest] = r.err.trim().split('\n')
    expect(message).toMatch(/^error: .*probe-report\.json: a probe report \(no benchmark results\); the history keeps bench runs$/)
    expect(rest.filter((l) => !l.startsWith('hint:'))).toEqual([])
    expect(existsSync(h)).toBe(false)
  })
})

describe("compare's cost is n log n in the samples", () => {
  it('the merged rank sum equals the per-element mid-ranks, ties included', () => {
    for (let t = 0; t < 100; t++) {
      const a = Array.from({ length: 30 + (t % 9) }, (_, i) => (i * 7 + t) % 13)
      const b = Array.from({ length: 20 + (t % 5) }, (_, i) => (i * 5 + t) % 11)
      const ref = doubledMidRanks([...a, ...b])
      const got = rankSum2AndTies(a, b)
      expect(got.w2).toBe(ref.ranks2.slice(a.length).reduce((x, y) => x + y, 0))
      expect(got.tieSizes).toEqual(ref.tieSizes)
    }
  })
  it('the thinned Hodges–Lehmann interval of large samples still brackets the true shift', () => {
    let seed = 1
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const a = Array.from({ length: 20_000 }, () => 100 * (1 + 0.02 * (rnd() - 0.5)))
    const b = a.map((x) => x * 1.05)
    const hl = hodgesLehmann(a, b, 0.99)
    expect(hl.estimate).toBeCloseTo(0.05, 3)
    expect(hl.ci[0]).toBeLessThanOrEqual(0.05 + 1e-9)
    expect(hl.ci[1]).toBeGreaterThanOrEqual(0.05 - 1e-9)
  })
})
