/**
 * Every file a user names is checked before anything is probed or measured, and written where it is
 * named: a missing folder is a one-line usage error (exit 2) and is never created (as root,
 * `--json /nonexistent/dir/x.json` used to create /nonexistent/dir after a whole bench).
 * `probe --json FILE` is written atomically (temp file + rename), like every other output.
 */
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from '../../src/cli/main.js'
import { fixturePath } from '../reports/helpers/fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'virtcheck-output-paths-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const SNAP = join(import.meta.dirname, '..', 'fixtures', 'snapshots', 'this-host-kvm-pvm.json')
const RUN = fixturePath('pvm-host.json')
/** A folder that does not exist, inside one that does (so a test can see it was not created). */
const MISSING = join(dir, 'missing')
const QUICK = ['--tiers', 'native', '--jobs', 'sys.syscall', '--reps', '2']

const cli = async (argv: readonly string[]) => {
  let out = ''
  let err = ''
  const sink = (add: (t: string) => void) => ({ write: (t: string) => (add(t), true), isTTY: false }) as unknown as NodeJS.WriteStream
  const code = await run(argv, {
    stdout: sink((t) => (out += t)),
    stderr: sink((t) => (err += t)),
    env: { NO_COLOR: '1', VIRTCHECK_HOME: join(dir, 'home') },
    cwd: dir,
  })
  return { code, out, err }
}

describe('an output file in a folder that does not exist', () => {
  const target = (name: string) => join(MISSING, 'sub', name)
  it.each([
    ['gate --md', ['gate', RUN, ...QUICK, '--no-confirm', '--md', target('x.md')]],
    ['gate --json', ['gate', RUN, ...QUICK, '--no-confirm', '--json', target('x.json')]],
    ['gate --junit', ['gate', RUN, ...QUICK, '--no-confirm', '--junit', target('x.xml')]],
    ['ab --json', ['ab', '--tier', 'native', '--a', '', '--b', '', '--jobs', 'sys.syscall', '--reps', '2', '--json', target('x.json')]],
    [
      'ab --save-runs',
      ['ab', '--tier', 'native', '--a', '', '--b', '', '--jobs', 'sys.syscall', '--reps', '2', '--save-runs', target('p')],
    ],
    ['compare --md', ['compare', RUN, RUN, '--md', target('x.md')]],
    ['probe --json', ['probe', '--from', SNAP, '--json', target('x.json')]],
    ['probe --nfd', ['probe', '--from', SNAP, '--nfd', target('virtcheck')]],
    ['the default command --nfd', [...QUICK, '--nfd', target('virtcheck')]],
    ['capture -o', ['capture', '-o', target('snap.json')]],
    ['report --md', ['report', RUN, '--md', target('x.md')]],
  ])(
    '%s: exit 2 before any work, one line naming the folder, nothing created',
    async (_name, argv) => {
      const t0 = Date.now()
      const r = await cli(argv)
      expect(r.code, r.err).toBe(2)
      const [message, ...rest] = r.err.trim().split('\n')
      expect(message).toMatch(/^error: .*missing\/sub.*(does not exist)/)
      expect(rest.filter((l) => !l.startsWith('hint:'))).toEqual([])
      expect(existsSync(MISSING)).toBe(false)
      expect(Date.now() - t0).toBeLessThan(10_000) // refused up front, not after a run
    },
    120_000,
  )
})

describe('probe --json FILE', () => {
  it('replaces the file by rename (never writes through it), leaving no temp file', async () => {
    const out = join(dir, 'probe-out')
    mkdirSync(out)
    const file = join(out, 'probe.json')
    writeFileSync(file, 'old contents\n')
    // A second name for the old file: an in-place write would change it too, a rename leaves it alone.
    linkSync(file, join(out, 'old-link'))
    const r = await cli(['probe', '--from', SNAP, '--json', file])
    expect([0, 1]).toContain(r.code)
    expect((JSON.parse(readFileSync(file, 'utf8')) as { reproduce: { mode: string } }).reproduce.mode).toBe('probe-only')
    expect(readFileSync(join(out, 'old-link'), 'utf8')).toBe('old contents\n')
    expect(readdirSync(out).sort()).toEqual(['old-link', 'probe.json'])
  })
})
