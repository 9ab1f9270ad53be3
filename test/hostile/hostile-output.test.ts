/**
 * Hostile host strings through every command that prints them (probe --from, report, compare, history
 * report, a fleet report, JSON on stdout, the bench's final report), on a TTY with colour and into a
 * pipe: no control or escape character from the data reaches stdout (only this program's own colour
 * sequences on a TTY), and the Markdown outputs, rendered by a real GFM renderer (cmark-gfm), show no
 * heading, image or link that the data created.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from '../../src/cli/main.js'
import { fixturePath } from '../reports/helpers/fixtures.js'
import { PAYLOAD, poison, unsafeIn } from './payload.js'
import { QUICK_RUN } from './cli-argv.js'
import { cell, runReport } from '../compare/fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'virtcheck-hostile-out-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const readJson = (p: string): Record<string, unknown> => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>
const write = (name: string, data: unknown): string => {
  const p = join(dir, name)
  writeFileSync(p, JSON.stringify(data, null, 2))
  return p
}

// A saved run with every free-text field poisoned, and a "head" whose samples are 30% slower (verdict rows and reasons).
const base = poison(readJson(fixturePath('pvm-host.json'))) as Record<string, unknown>
const slower = (r: Record<string, unknown>) => ({
  ...r,
  startedAt: '2026-03-03T09:14:05.120Z',
  finishedAt: '2026-03-03T09:21:47.880Z',
  results: (r['results'] as Record<string, unknown>[]).map((x) => ({
    ...x,
    samples: (x['samples'] as number[]).map((v) => (x['better'] === 'higher' ? v * 0.7 : v * 1.3)),
  })),
})
const BASE = write('base.json', base)
const HEAD = write('head.json', slower(base))
const CLEAN_BASE = fixturePath('pvm-host.json')
const CLEAN_HEAD = write('clean-head.json', slower(readJson(fixturePath('pvm-host.json'))))

// A host snapshot whose hostname, CPU model, kernel release and DMI strings are hostile.
const snapshot = readJson(join(import.meta.dirname, '..', 'fixtures', 'snapshots', 'this-host-kvm-pvm.json'))
const reads = snapshot['reads'] as Record<string, { kind: string; text?: string }>
const cpuinfo = reads['/proc/cpuinfo']?.text ?? ''
const SNAP = write('snap.json', {
  ...snapshot,
  identity: { ...(snapshot['identity'] as object), hostname: `vm ${PAYLOAD}` },
  reads: {
    ...reads,
    '/proc/cpuinfo': { kind: 'ok', text: cpuinfo.replace(/^model name\t: .*$/gm, `model name\t: Xeon ${PAYLOAD.replace(/\n/g, ' ')}`) },
    '/sys/class/dmi/id/sys_vendor': { kind: 'ok', text: `Vendor ${PAYLOAD}\n` },
    '/sys/class/dmi/id/product_name': { kind: 'ok', text: `Product ${PAYLOAD}\n` },
  },
})

const cli = async (argv: readonly string[], tty: boolean) => {
  const sink = () => {
    let text = ''
    return { s: { write: (t: string) => ((text += t), true), isTTY: tty, columns: 60 } as unknown as NodeJS.WriteStream, text: () => text }
  }
  const out = sink()
  const err = sink()
  const env = tty ? { FORCE_COLOR: '3', COLORTERM: 'truecolor', TERM: 'xterm-256color', LANG: 'en_US.UTF-8' } : { LANG: 'C' }
  const code = await run(argv, { stdout: out.s, stderr: err.s, env, cwd: dir })
  return { code, out: out.text(), err: err.text() }
}

// Fleets (report DIR): results/<host>/result.json as Ansible fetches them, a failure record and an
// unusable file whose folder name is itself hostile.
const fleetDir = (name: string, runs: readonly string[], hostile: boolean): string => {
  const root = join(dir, name)
  runs.forEach((f, i) => {
    mkdirSync(join(root, `node-${i}`), { recursive: true })
    copyFileSync(f, join(root, `node-${i}`, 'result.json'))
  })
  const text = hostile ? PAYLOAD : 'ssh timed out'
  mkdirSync(join(root, 'node-down'))
  writeFileSync(
    join(root, 'node-down', 'result.json'),
    JSON.stringify({ schema: 'virtcheck-fleet-failure', host: `down ${text}`, reason: text }),
  )
  const badName = hostile ? 'bad]0;PWNED-TITLE‮evil' : 'bad'
  mkdirSync(join(root, badName))
  writeFileSync(join(root, badName, 'result.json'), '{"truncated": ')
  return root
}
const FLEET = fleetDir('fleet', [BASE, HEAD], true)
const CLEAN_FLEET = fleetDir('clean-fleet', [CLEAN_BASE, CLEAN_HEAD], false)

const HISTORY = join(dir, 'history')
const COMMANDS: Record<string, readonly string[]> = {
  'probe --from': ['probe', '--from', SNAP],
  report: ['report', BASE],
  'report --md -': ['report', BASE, '--md', '-'],
  'report --junit -': ['report', BASE, '--junit', '-'],
  'report --html -': ['report', BASE, '--html', '-'],
  compare: ['compare', BASE, HEAD, '--verbose'],
  'compare --md -': ['compare', BASE, HEAD, '--md', '-'],
  'compare --junit -': ['compare', BASE, HEAD, '--junit', '-'],
  'history report --md -': ['history', 'report', '--dir', HISTORY, '--md', '-'],
  // JSON on stdout: what JSON.stringify leaves raw (DEL, C1, bidi, U+2028/9) is written as \uXXXX
  'report --json -': ['report', BASE, '--json', '-'],
  'compare --json -': ['compare', BASE, HEAD, '--json', '-'],
  'probe --from --json -': ['probe', '--from', SNAP, '--json', '-'],
  'report DIR (fleet)': ['report', FLEET],
  'report DIR --md - (fleet)': ['report', FLEET, '--md', '-'],
  'report DIR --json - (fleet)': ['report', FLEET, '--json', '-'],
}

describe('hostile host strings never reach stdout as control characters', () => {
  it('history report (terminal): a regression line names the unit of the saved runs safely', async () => {
    const h = join(dir, 'unit-history')
    for (const [i, m] of [1000, 1010, 990, 1005, 850].entries()) {
      const r = {
        ...runReport({
          cells: [cell({ job: 'cpu.int', metric: 'ops', unit: `ops/s ${PAYLOAD}`, samples: [m * 0.99, m, m * 1.01, m, m] })],
        }),
        startedAt: `2025-02-0${i + 1}T00:00:00.000Z`,
      }
      expect((await cli(['history', 'add', write(`unit-${i}.json`, r), '--dir', h], false)).code).toBe(0)
    }
    for (const tty of [false, true]) {
      const r = await cli(['history', 'report', '--dir', h], tty)
      expect(r.out).toMatch(/regressed\S* native cpu\.int ops: 850\.0 ops\/s/)
      expect(unsafeIn(r.out, tty)).toEqual([])
    }
  })
  it('history add takes the hostile runs (and prints their label safely)', async () => {
    for (const f of [BASE, HEAD]) {
      const r = await cli(['history', 'add', f, '--dir', HISTORY, '--label', PAYLOAD], false)
      expect(r.err).toBe('')
      expect(r.code).toBe(0)
      expect(unsafeIn(r.out)).toEqual([])
    }
  })

  for (const tty of [false, true]) {
    for (const [name, argv] of Object.entries(COMMANDS)) {
      it(`${name} (${tty ? 'TTY, colour' : 'pipe'})`, async () => {
        const r = await cli(argv, tty)
        expect(r.out.length, r.err).toBeGreaterThan(100)
        expect(unsafeIn(r.out, tty)).toEqual([])
        expect(unsafeIn(r.err, tty)).toEqual([])
        // the data did arrive, made visible
        expect(r.out).toMatch(/\\x1b\]0;PWNED-TITLE|\\\\x1b\\\]0;PWNED-TITLE|PWNED-TITLE/)
      })
    }
  }
})

const cmarkGfm = existsSync('/usr/bin/cmark-gfm')
const needCmark = !cmarkGfm && process.env['CI'] !== 'true'

/** What a GFM renderer makes of Markdown: counts of headings, links and images. */
const gfmStructure = (md: string) => {
  const r = spawnSync('cmark-gfm', ['-e', 'table', '-e', 'autolink', '-e', 'strikethrough', '-e', 'tagfilter', '--unsafe'], {
    input: md,
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`cmark-gfm failed: ${r.stderr}`)
  const html = r.stdout
  return {
    headings: html.match(/<h[1-6][ >]/g)?.length ?? 0,
    links: html.match(/<a\s/g)?.length ?? 0,
    images: html.match(/<img\s/g)?.length ?? 0,
    html,
  }
}

describe('Markdown: a GFM renderer shows no heading, image or link that host data created', () => {
  const pairs: Record<string, [readonly string[], readonly string[]]> = {
    'report --md': [
      ['report', CLEAN_BASE, '--md', '-'],
      ['report', BASE, '--md', '-'],
    ],
    'compare --md': [
      ['compare', CLEAN_BASE, CLEAN_HEAD, '--md', '-'],
      ['compare', BASE, HEAD, '--md', '-'],
    ],
    'report DIR --md (fleet)': [
      ['report', CLEAN_FLEET, '--md', '-'],
      ['report', FLEET, '--md', '-'],
    ],
  }
  for (const [name, [clean, hostile]] of Object.entries(pairs)) {
    it.skipIf(needCmark)(name, async () => {
      const a = gfmStructure((await cli(clean, false)).out)
      const b = gfmStructure((await cli(hostile, false)).out)
      expect(b.html).toContain('PWNED-TITLE')
      expect({ headings: b.headings, links: b.links, images: b.images }).toEqual({ headings: a.headings, links: a.links, images: a.images })
    })
  }
  it.skipIf(needCmark)('history report --md', async () => {
    const cleanHistory = join(dir, 'clean-history')
    for (const f of [CLEAN_BASE, CLEAN_HEAD]) expect((await cli(['history', 'add', f, '--dir', cleanHistory], false)).code).toBe(0)
    const a = gfmStructure((await cli(['history', 'report', '--dir', cleanHistory, '--md', '-'], false)).out)
    const b = gfmStructure((await cli(COMMANDS['history report --md -']!, false)).out)
    expect(b.html).toContain('PWNED-TITLE')
    expect({ headings: b.headings, links: b.links, images: b.images }).toEqual({ headings: a.headings, links: a.links, images: a.images })
  })
})

describe('the bench final report under a hostile hostname (a UTS namespace) and label', () => {
  const needRoot = process.getuid?.() !== 0 && process.env['CI'] !== 'true'
  it.skipIf(needRoot)('no control character on stdout or stderr; the hostname is in the saved result', () => {
    const home = join(dir, 'bench-home')
    const script = `printf 'evil\\033]0;PWNED-TITLE\\007\\033[2J\\r' > /proc/sys/kernel/hostname && exec "$0" --import tsx src/cli/entry.ts "$@"`
    for (const tty of [false, true]) {
      const r = spawnSync(
        'unshare',
        ['--uts', 'sh', '-c', script, process.execPath, 'bench', ...QUICK_RUN, '--label', PAYLOAD.replace(/\x00/g, '')],
        {
          cwd: join(import.meta.dirname, '..', '..'),
          env: { ...process.env, VIRTCHECK_HOME: home, ...(tty ? { FORCE_COLOR: '3' } : { NO_COLOR: '1' }) },
          encoding: 'utf8',
          timeout: 60_000,
        },
      )
      expect(r.status, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/sys\.syscall/)
      expect(unsafeIn(r.stdout, tty)).toEqual([])
      expect(unsafeIn(r.stderr, tty)).toEqual([])
      const saved = /results: (\S+result\.json)/.exec(r.stderr)?.[1]
      expect(saved).toBeDefined()
      expect((readJson(saved!)['host'] as { hostname: string }).hostname).toContain('PWNED-TITLE\x07')
    }
  })
})
