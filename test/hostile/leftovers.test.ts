/**
 * Signals at distinct stages of real runs, each checked against a full enumeration of what is on this
 * machine (./leftovers.ts: processes, netns, links, cgroups, mounts, files): SIGHUP during the probe,
 * SIGTERM during a native job, SIGINT/SIGHUP during a built-in container net job (netns + veth +
 * cgroups), SIGINT while a tcg-virtio guest boots, SIGTERM while lxc runs. Each exits with its code
 * (130 for SIGINT/SIGTERM, 129 for SIGHUP, docs/architecture.md principle 4), keeps what was measured
 * and leaves nothing. Two runs in different homes at once both complete. SIGKILL + `cleanup` is in
 * test/bench/cleanup-command.test.ts (a cleanup that removes must not run beside another file's debris).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { assertRealAvailable, skipReal } from '../bench/need.js'
import { readProcessMark } from '../../src/host/run-mark.js'
import { leftovers, resultOf, snapshot, startRun } from './leftovers.js'

const root = mkdtempSync(join(tmpdir(), 'virtcheck-leftovers-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 1 // r1 is the probe case

/**
 * A child of the run that carries its mark: the probe's commands (nothing else runs yet). The mark is
 * in a child's environment only once it has exec'd, after the signal handlers are installed; tsx's
 * esbuild (started before) has none.
 */
const probeChild = (pid: number): boolean =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .some((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
        return ppid === pid && readProcessMark(Number(d))?.pid === pid
      } catch {
        return false
      }
    })

const lxcInstalled = existsSync('/usr/bin/lxc-execute') || existsSync('/usr/sbin/lxc-execute')

describe.skipIf(skipReal)('a signal at each stage leaves nothing (full enumeration)', () => {
  it('has every component it needs', () => {
    assertRealAvailable()
    if (process.env['CI'] === 'true') expect(lxcInstalled, 'lxc is installed in CI').toBe(true)
  })

  it('SIGHUP during the probe: exit 129, nothing left', async () => {
    const before = await snapshot({ home: join(root, 'r1-home'), tmp: join(root, 'r1-tmp'), pids: [] })
    const r = startRun(root, 'r1', ['--tiers', 'native', '--jobs', 'sys.syscall'])
    const until = Date.now() + 20_000
    while (!probeChild(r.scope.pids[0]!) && Date.now() < until && r.child.exitCode === null) await new Promise((x) => setTimeout(x, 5))
    expect(r.seen(), 'still probing when signalled').not.toMatch(/virtcheck bench/)
    r.child.kill('SIGHUP')
    const res = await r.child
    expect(res.exitCode, res.stderr).toBe(129)
    expect(res.stderr).toMatch(/interrupted \(SIGHUP\)/)
    expect(await leftovers(before, r.scope)).toEqual([])
  }, 60_000)

  // [tier, jobs, the stage to signal at, signal, exit code, whether the first job's samples are kept]
  const CASES: [string, string, RegExp, NodeJS.Signals, number, boolean][] = [
    ['native', 'sys.syscall,cpu.int', /\[1\/2\] native sys\.syscall/, 'SIGTERM', 130, true],
    ['container', 'sys.syscall,net.stream', /\[1\/2\] container sys\.syscall/, 'SIGINT', 130, true],
    ['container', 'sys.syscall,net.rr', /\[1\/2\] container sys\.syscall/, 'SIGHUP', 129, true],
    ['tcg-virtio', 'sys.syscall', /tcg-virtio: booting/, 'SIGINT', 130, false],
    ...(lxcInstalled || process.env['CI'] === 'true'
      ? [
          ['lxc', 'sys.syscall,cpu.int', /\[1\/2\] lxc sys\.syscall/, 'SIGTERM', 130, true] as [
            string,
            string,
            RegExp,
            NodeJS.Signals,
            number,
            boolean,
          ],
        ]
      : []),
  ]
  it.each(CASES)(
    '%s (%s) at %s, %s: exit %d, partial result, nothing left',
    async (tier, jobs, stage, sig, code, kept) => {
      const tag = `r${++n}`
      const pre = { home: join(root, `${tag}-home`), tmp: join(root, `${tag}-tmp`), pids: [] }
      const before = await snapshot({ ...pre, lxcPivot: tier === 'lxc' })
      const r = startRun(root, tag, ['--tiers', tier, '--jobs', jobs])
      expect(await r.when(stage), r.seen()).toBe(true)
      const at = Date.now()
      r.child.kill(sig)
      const res = await r.child
      const stopMs = Date.now() - at
      expect(res.exitCode, res.stderr).toBe(code)
      expect(res.stderr).toMatch(new RegExp(`interrupted \\(${sig}\\)`))
      const result = resultOf(r.scope.home)
      expect(result?.partial, 'a partial result.json').toBe(true)
      if (kept) expect(result?.results.find((x) => x.job === 'sys.syscall')?.samples.length ?? 0).toBeGreaterThan(0)
      expect(await leftovers(before, { ...r.scope, lxcPivot: tier === 'lxc' })).toEqual([])
      expect(stopMs, 'stopped promptly').toBeLessThan(10_000)
    },
    90_000,
  )

  it('Ctrl-C inside a tcg-virtio net.stream batch: ends within ~1 s, keeps the repetitions it measured, leaves nothing', async () => {
    const tag = `r${++n}`
    const before = await snapshot({ home: join(root, `${tag}-home`), tmp: join(root, `${tag}-tmp`), pids: [] })
    // --reps 20: one batch of 20 repetitions (~4 s in the guest), cut after ~1 s
    const r = startRun(root, tag, ['--tiers', 'tcg-virtio', '--jobs', 'sys.syscall,net.stream', '--reps', '20'])
    expect(await r.when(/\[1\/2\] tcg-virtio sys\.syscall/), r.seen()).toBe(true)
    await new Promise((x) => setTimeout(x, 1000))
    const at = Date.now()
    r.child.kill('SIGINT')
    const res = await r.child
    const stopMs = Date.now() - at
    expect(res.exitCode, res.stderr).toBe(130)
    expect(stopMs, 'stopped within ~1 s (was ~4.6 s: a quit the busy agent never answered)').toBeLessThan(1500)
    const cell = resultOf(r.scope.home)?.results.find((x) => x.job === 'net.stream')
    expect(cell, 'the job in flight stays in the result').toBeDefined()
    expect(cell?.samples.length ?? 0, 'its completed repetitions are kept').toBeGreaterThan(0)
    expect(await leftovers(before, r.scope)).toEqual([])
  }, 90_000)

  it('two runs in different homes at once: both complete, both results valid, nothing left', async () => {
    const tags = ['c1', 'c2']
    const before = await Promise.all(tags.map((t) => snapshot({ home: join(root, `${t}-home`), tmp: join(root, `${t}-tmp`), pids: [] })))
    const runs = tags.map((t) => startRun(root, t, ['--tiers', 'container', '--jobs', 'sys.syscall,net.stream']))
    const results = await Promise.all(runs.map((r) => r.child))
    const pids = runs.flatMap((r) => r.scope.pids)
    for (const [i, res] of results.entries()) {
      expect(res.exitCode, res.stderr).toBe(0)
      const result = resultOf(runs[i]!.scope.home)
      expect(result?.partial).toBe(false)
      for (const job of ['sys.syscall', 'net.stream'])
        expect(
          result?.results.some((x) => x.job === job && x.samples.length > 0),
          job,
        ).toBe(true)
      expect(await leftovers(before[i]!, { ...runs[i]!.scope, pids })).toEqual([])
    }
  }, 90_000)
})
