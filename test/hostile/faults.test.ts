/**
 * Fault injection on the real CLI: SIGHUP / SIGTERM / a second signal at run stages, a reader that goes
 * away (EPIPE), a full disk (a 64 KiB tmpfs in a private mount namespace), a bad VIRTCHECK_HOME, and a
 * run in which no requested tier was ready. Each ends cleanly with the documented exit code and keeps
 * what was measured.
 */
import { execa } from 'execa'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertRealAvailable, skipReal } from '../bench/need.js'
import { fixturePath } from '../reports/helpers/fixtures.js'
import { qemuMissing, requireAll, requireGuestKernel } from '../tiers/qemu/need.js'
import { ENTRY, inPrivateMounts, QUICK_RUN } from './cli-argv.js'

const qemu = requireAll(await qemuMissing())

const root = mkdtempSync(join(tmpdir(), 'virtcheck-faults-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0
const home = () => join(root, `home-${++n}`)

const spawnCli = (args: string[], env: Record<string, string>) =>
  execa('node', [...ENTRY, ...args], { reject: false, env: { ...env, NO_COLOR: '1' }, timeout: 120_000 })

/** Start a bench, send `signal` when stderr shows `when`, wait for the exit. */
const interruptAt = async (h: string, when: RegExp, signals: NodeJS.Signals[], then?: { again: RegExp }) => {
  const child = spawnCli(['bench', '--tiers', 'native', '--jobs', 'cpu.int,sys.syscall,mmu.pagefault', '--reps', '6'], {
    VIRTCHECK_HOME: h,
  })
  let seen = ''
  let sent = false
  let resent = false
  child.stderr?.on('data', (c: Buffer) => {
    seen += c.toString()
    if (!sent && when.test(seen)) {
      sent = true
      signals.forEach((s, i) => setTimeout(() => child.kill(s), i * 5))
    } else if (sent && then && !resent && then.again.test(seen)) {
      resent = true
      child.kill(signals[0])
    }
  })
  const r = await child
  return { ...r, sent }
}

const runFolder = (h: string): string | undefined => {
  const runs = existsSync(join(h, 'runs')) ? readdirSync(join(h, 'runs')) : []
  return runs[0] === undefined ? undefined : join(h, 'runs', runs[0])
}

describe.skipIf(skipReal)('signals end a run cleanly at each stage', () => {
  it('has every component it needs', () => assertRealAvailable())

  it('SIGHUP during a job: exit 129, a partial result, no work dir', async () => {
    const h = home()
    const r = await interruptAt(h, /\[1\/3\] native cpu\.int/, ['SIGHUP'])
    expect(r.sent).toBe(true)
    expect(r.exitCode, r.stderr).toBe(129)
    expect(r.stderr).toMatch(/interrupted \(SIGHUP\)/)
    const run = runFolder(h)!
    const report = JSON.parse(readFileSync(join(run, 'result.json'), 'utf8')) as { partial: boolean; results: { samples: number[] }[] }
    expect(report.partial).toBe(true)
    expect(report.results.some((x) => x.samples.length > 0)).toBe(true)
    expect(readdirSync(run).filter((f) => f.startsWith('work-'))).toEqual([])
  }, 120_000)

  it('SIGTERM while the tier starts and SIGHUP during the probe: clean exits, nothing left', async () => {
    for (const [when, sig, code] of [
      [/native: starting/, 'SIGTERM', 130],
      [/./, 'SIGHUP', 129],
    ] as const) {
      const h = home()
      const r = await interruptAt(h, when, [sig])
      expect(r.exitCode, r.stderr).toBe(code)
      const run = runFolder(h)
      if (run) expect(readdirSync(run).filter((f) => f.startsWith('work-'))).toEqual([])
    }
  }, 120_000)

  // The second SIGINT must land while the clean-up runs: it is sent when the run says it is
  // cleaning up. On a loaded machine that message can reach us after a fast clean-up ended, so
  // the test is retried; a run that ignores the second signal fails every try.
  it('a second signal exits at once', { retry: 2, timeout: 120_000 }, async () => {
    const h = home()
    const r = await interruptAt(h, /\[1\/3\] native cpu\.int/, ['SIGINT'], { again: /cleaning up/ })
    expect(r.exitCode).toBe(130)
    expect(r.stderr).toMatch(/interrupted \(SIGINT\)/)
    // the second one arrived during the clean-up and did not wait for it
    expect(r.stderr).toMatch(/forced exit \(SIGINT again\)/)
  })
})

describe('outputs and environment', () => {
  // the QEMU tier must be ready before its disk fills: on a fresh machine this file once ran before the
  // boot tests had fetched the guest kernel ("tiers (none ready)")
  beforeAll(async () => {
    if (qemu && !skipReal) await requireGuestKernel()
  }, 300_000)
  it('a reader that goes away (report FILE | head) ends quietly', async () => {
    const child = execa('node', [...ENTRY, 'report', fixturePath('pvm-host.json'), '--md', '-'], {
      reject: false,
      env: { NO_COLOR: '1' },
      stdout: 'pipe',
    })
    child.stdout?.destroy()
    const r = await child
    expect(r.stderr).not.toMatch(/EPIPE|Error:|at .*\.js/)
    expect([0, null]).toContain(r.exitCode)
  })

  it('a VIRTCHECK_HOME that is a file: exit 2 with a clear line', async () => {
    const f = join(root, 'home-is-a-file')
    writeFileSync(f, 'x')
    const r = await spawnCli(['bench', ...QUICK_RUN], { VIRTCHECK_HOME: f })
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/the virtcheck home .* is a file, not a folder/)
    expect(r.stderr).not.toMatch(/internal error/)
  })

  // docker pointed at a socket that does not exist: its tier is not ready on any machine, CI (which
  // runs a private dockerd) included, so every command's "nothing measured" path is taken
  const NO_DOCKER = { DOCKER_HOST: 'unix:///nonexistent/virtcheck-test/docker.sock' }
  it.each([
    ['bench', ['bench']],
    ['the default command', []],
    ['gate', ['gate', fixturePath('pvm-host.json'), '--no-confirm']],
  ])(
    '%s: a run in which no requested tier was ready measured nothing: exit 1',
    async (_name, cmd) => {
      const r = await spawnCli([...cmd, '--tiers', 'docker', '--jobs', 'sys.syscall', '--reps', '2'], {
        VIRTCHECK_HOME: home(),
        ...NO_DOCKER,
      })
      expect(r.stderr).not.toMatch(/docker: completed/)
      expect(r.exitCode, r.stderr).toBe(1)
      expect(r.stderr).toMatch(/error: nothing was measured: none of the requested tiers was ready/)
    },
    120_000,
  )

  it('a VIRTCHECK_HOME that is a file: ab and cleanup exit 2 with a clear line', async () => {
    const f = join(root, 'ab-home-is-a-file')
    writeFileSync(f, 'x')
    for (const cmd of [
      ['ab', '--tier', 'native', '--a', '', '--b', '', '--jobs', 'sys.syscall', '--reps', '2'],
      ['cleanup', '--dry-run'],
    ]) {
      const r = await spawnCli(cmd, { VIRTCHECK_HOME: f })
      expect(r.exitCode, `${cmd[0]}: ${r.stderr}`).toBe(2)
      const [message, _hint, ...more] = r.stderr.trim().split('\n')
      expect(message).toMatch(/^error: the virtcheck home .* is a file, not a folder/)
      expect(more).toEqual([])
      expect(r.stderr).not.toMatch(/internal error|at .*\.ts/)
    }
  })

  it.skipIf(skipReal)(
    'a read-only VIRTCHECK_HOME (a read-only bind mount): exit 2 with one line',
    async () => {
      const h = home()
      mkdirSync(h)
      const script = `mount --bind "$H" "$H" && mount -o remount,bind,ro "$H" && exec "$0" "$@"`
      const r = await execa('unshare', inPrivateMounts(script, ['bench', ...QUICK_RUN]), {
        reject: false,
        env: { NO_COLOR: '1', VIRTCHECK_HOME: h, H: h },
        timeout: 120_000,
      })
      expect(r.exitCode, r.stderr).toBe(2)
      // the message and its hint, nothing else: it is found before anything is probed or measured
      const [message, hint, ...more] = r.stderr.trim().split('\n')
      expect(message).toMatch(/^error: the virtcheck home .* is on a read-only file system$/)
      expect(hint).toMatch(/^hint: set VIRTCHECK_HOME to a writable folder/)
      expect(more).toEqual([])
      expect(r.stderr).not.toMatch(/internal error|at .*\.ts/)
      expect(readdirSync(h)).toEqual([])
    },
    120_000,
  )

  /** The CLI in a private mount namespace where FULL is a 64 KiB tmpfs, already full. */
  const onFullDisk = (full: string, args: string[], env: Record<string, string>) =>
    execa(
      'unshare',
      inPrivateMounts(
        `mkdir -p "$FULL" && mount -t tmpfs -o size=64k tmpfs "$FULL" && (head -c 1048576 /dev/zero > "$FULL/fill" 2>/dev/null; true) && exec "$0" "$@"`,
        args,
      ),
      { reject: false, env: { NO_COLOR: '1', FULL: full, ...env }, timeout: 120_000 },
    )

  it.skipIf(skipReal)(
    'a full disk: named as such, the matrix still printed, the run folder result kept',
    async () => {
      const h = home()
      const full = join(root, 'full')
      const r = await onFullDisk(full, ['bench', ...QUICK_RUN, '--json', join(full, 'x.json')], { VIRTCHECK_HOME: h })
      expect(r.stdout).toMatch(/sys\.syscall/) // the matrix
      expect(r.stderr).toMatch(/disk full/)
      expect(r.exitCode).toBe(1)
      const report = JSON.parse(readFileSync(join(runFolder(h)!, 'result.json'), 'utf8')) as { partial: boolean }
      expect(report.partial).toBe(false)
    },
    120_000,
  )

  it.skipIf(skipReal)(
    'the default command on a full disk: findings, matrix and summary printed, the lost files named, exit 1',
    async () => {
      const full = join(root, 'full-main')
      // the whole home is on the full disk: neither result.json nor report.html can be written
      const r = await onFullDisk(full, QUICK_RUN, { VIRTCHECK_HOME: join(full, 'home') })
      expect(r.stdout).toMatch(/sys\.syscall/) // the matrix
      expect(r.stdout).toMatch(/tiers? ready|ready/i) // the findings and readiness
      expect(r.stderr).toMatch(/error: cannot write .*result\.json: disk full/)
      expect(r.stderr).toMatch(/error: cannot write .*report\.html: disk full/)
      expect(r.stdout).not.toMatch(/^(result|report): /m) // no path of a file that is not there
      expect(r.exitCode, r.stderr).toBe(1)
    },
    120_000,
  )

  it.skipIf(skipReal)(
    'gate on a full disk: the matrix printed, the failed save named, exit 1 (not a comparison of what was lost)',
    async () => {
      const full = join(root, 'full-gate')
      const r = await onFullDisk(
        full,
        ['gate', fixturePath('pvm-host.json'), ...QUICK_RUN, '--no-confirm', '--result', join(full, 'x.json')],
        {
          VIRTCHECK_HOME: home(),
        },
      )
      expect(r.stdout).toMatch(/sys\.syscall/) // the matrix
      expect(r.stderr).toMatch(/error: cannot write .*x\.json: disk full/)
      expect(r.stderr).not.toMatch(/not comparable/)
      expect(r.exitCode, r.stderr).toBe(1)
    },
    120_000,
  )

  it.runIf(qemu && !skipReal)(
    'a full disk under a QEMU tier: named as ENOSPC at once, not agent time-outs',
    async () => {
      const h = home()
      const t0 = Date.now()
      const r = await onFullDisk(join(h, 'scratch'), ['bench', '--quick', '--tiers', 'tcg-virtio', '--jobs', 'io.seq'], {
        VIRTCHECK_HOME: h,
      })
      const ms = Date.now() - t0
      expect(r.stderr, r.stdout).toMatch(/tcg-virtio.*disk full \(ENOSPC\): 0 MiB free in the scratch folder/)
      expect(r.stderr).not.toMatch(/no answer from the agent/)
      expect(r.exitCode, r.stderr).toBe(1)
      expect(ms, 'no 33-40 s agent time-outs').toBeLessThan(20_000)
    },
    120_000,
  )
})
