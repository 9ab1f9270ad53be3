// `virtcheck ab` end to end with real tiers: native A/A (no options) and the built-in container with a
// planted CPU quota. Needs the built vcwork (npm run build) and, for the container, root and cgroups;
// under CI=true a missing component fails the test instead of skipping it.
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

const isRoot = process.getuid?.() === 0
const ci = process.env['CI'] === 'true'
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'virtcheck-ab-test-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
  // nothing left behind
  expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`virtcheck-${process.pid}-`)
})

interface AbJson {
  cells: { job: string; verdict: string; numbers: { nBase: number; nHead: number; change: number } }[]
  base: { label: string }
  head: { label: string }
}

describe('virtcheck ab', () => {
  it('native A/A: interleaved, both runs saved, no regression', async () => {
    const r = await runCli(
      ['ab', '--tier', 'native', '--a', '', '--b', '', '--jobs', 'sys.syscall', '--reps', '5', '--json', 'aa.json', '--save-runs', 'aa'],
      dir,
    )
    expect(r.code, r.stderr).toBe(0)
    const j = JSON.parse(await readFile(join(dir, 'aa.json'), 'utf8')) as AbJson
    expect(j.cells).toHaveLength(1)
    expect(j.cells[0]!.numbers).toMatchObject({ nBase: 5, nHead: 5 })
    expect(j.cells[0]!.verdict).not.toBe('regressed')
    const a = JSON.parse(await readFile(join(dir, 'aa-a.json'), 'utf8')) as { tiers: { config: Record<string, string> }[] }
    // ABBA order; with 2+ CPUs the pairs are pinned and walk through them (AB@0 BA@1 AB@1 ...)
    expect(a.tiers[0]!.config['abOrder']).toMatch(/^sys\.syscall: AB(@\d+)? BA(@\d+)? AB(@\d+)? BA(@\d+)? AB(@\d+)? BA(@\d+)?$/)
    if (availableParallelism() > 1) expect(a.tiers[0]!.config['abOrder']).toMatch(/^sys\.syscall: AB@0 BA@1 AB@1 /)
    // the saved runs are ordinary run reports: compare reads them
    const again = await runCli(['compare', 'aa-a.json', 'aa-b.json'], dir)
    expect(again.code, again.stderr).toBe(0)
  })

  it.skipIf(!isRoot && !ci)(
    'container: a 20% CPU quota makes cpu.int a regression (20%, not 50%: on a busy shared machine a 50% quota may not bind)',
    async () => {
      const r = await runCli(
        [
          'ab',
          '--tier',
          'container',
          '--a',
          'cpu-quota=100',
          '--b',
          'cpu-quota=20',
          '--jobs',
          'cpu.int',
          '--reps',
          '5',
          '--warmup',
          '0',
          '--json',
          '-',
        ],
        dir,
      )
      expect(r.code, r.stderr).toBe(1)
      const j = JSON.parse(r.stdout) as AbJson
      expect(j.base.label).toBe('A: cpu-quota=100')
      expect(j.cells[0]).toMatchObject({ job: 'cpu.int', verdict: 'regressed' })
      expect(j.cells[0]!.numbers.change).toBeLessThan(-0.3)
    },
  )

  it('usage errors: exit 2, one line', async () => {
    for (const argv of [
      ['ab', '--a', '', '--b', ''],
      ['ab', '--tier', 'nope', '--a', '', '--b', ''],
      ['ab', '--tier', 'native', '--b', ''],
      ['ab', '--tier', 'native', '--a', 'novalue', '--b', ''],
      ['ab', '--tier', 'native', '--a', '', '--b', '', '--jobs', 'cpu.nope'],
      ['ab', '--tier', 'native', '--a', '', '--b', '', '--reps', '0'],
      ['ab', '--tier', 'native', '--a', 'x=1', '--b', '', '--jobs', 'sys.syscall', '--reps', '5'],
    ]) {
      const r = await runCli(argv, dir)
      expect(r.code, argv.join(' ') + r.stderr).toBe(2)
      expect(r.stderr).toMatch(/^(probing the host…\n)?(opening .*\n)?error: /)
    }
  })

  it('a bad tier option is refused before anything is probed, named as an ab error', async () => {
    const r = await runCli(['ab', '--tier', 'container', '--a', 'cpu-quota=lots', '--b', ''], dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error: ab: --tier-opt container\.cpu-quota must be a number/)
  })
})
