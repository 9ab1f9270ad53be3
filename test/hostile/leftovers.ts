/**
 * What a run leaves on this machine, enumerated: a snapshot before the run, one after, the difference.
 * Processes carrying the run's mark (VIRTCHECK_RUN=<its pid>:…, src/host/run-mark.ts) or naming its home
 * or temp folder; network namespaces (`ip netns list` and /run/netns) and host links of virtcheck's
 * naming (other test files create theirs at the same time); cgroups of virtcheck or lxc under every
 * mounted hierarchy; mounts under the home or temp folder; every file under the home but the results,
 * everything in the run's private TMPDIR, and `/tmp/virtcheck-*` / `/tmp/vc-*` that name the run's pid.
 * An entry that names another run's pid (`virtcheck-<pid>-`) belongs to that run and is not counted.
 */
import { execa } from 'execa'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parseMountinfo } from '../../src/parse/mountinfo.js'
import { readProcessMark } from '../../src/host/run-mark.js'

export interface Scope {
  /** The run's VIRTCHECK_HOME and private TMPDIR. */
  readonly home: string
  readonly tmp: string
  /** Pids of the runs (their marks); empty before they start. */
  readonly pids: readonly number[]
  /** Count lxc's own `lxc.pivot` (no run's name in it): only where lxc runs in this scope and no other. */
  readonly lxcPivot?: boolean
}

export type Snapshot = ReadonlyMap<string, ReadonlySet<string>>

/** False when the name carries the pid of a run outside the scope. */
const notOthers = (name: string, s: Scope): boolean => {
  const m = /(?:virtcheck-|vc-q-|virtcheck-deep-)(\d+)-/.exec(name)
  return !m || s.pids.includes(Number(m[1]))
}

const safeRead = (p: string): string => {
  try {
    return readFileSync(p, 'utf8')
  } catch {
    return ''
  }
}
const safeList = (p: string): string[] => {
  try {
    return readdirSync(p)
  } catch {
    return []
  }
}

const isDirectory = (p: string): boolean => {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false // gone meanwhile
  }
}

const processes = (s: Scope): string[] =>
  safeList('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .flatMap((d) => {
      const stat = safeRead(`/proc/${d}/stat`)
      if (stat === '' || / Z /.test(stat.slice(stat.lastIndexOf(')')))) return [] // gone, or a zombie awaiting its parent
      const cmdline = safeRead(`/proc/${d}/cmdline`).split('\0').join(' ').trim()
      const mark = readProcessMark(Number(d))
      const ours = (mark && s.pids.includes(mark.pid)) || cmdline.includes(s.home) || cmdline.includes(s.tmp)
      return ours ? [`pid ${d}: ${cmdline.slice(0, 160)}`] : []
    })

const netns = async (s: Scope): Promise<string[]> => {
  const listed = (await execa('ip', ['netns', 'list'], { reject: false })).stdout.split('\n').map((l) => l.split(' ')[0] ?? '')
  return [...new Set([...listed, ...safeList('/run/netns')])].filter((n) => n.includes('virtcheck') && notOthers(n, s))
}

const links = async (): Promise<string[]> =>
  (await execa('ip', ['-o', 'link'], { reject: false })).stdout
    .split('\n')
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter((n) => /^(vc(p|c|tap)\d+|.*virtcheck.*)$/.test(n))

const CGROUP_NAME = /virtcheck|lxc\.(payload|monitor|pivot)/

const cgroups = (s: Scope): string[] => {
  const roots = parseMountinfo(safeRead('/proc/self/mountinfo'))
    .filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2')
    .map((m) => m.mountPoint)
  const out: string[] = []
  const walk = (dir: string, depth: number) => {
    for (const e of safeList(dir)) {
      const p = join(dir, e)
      if (!isDirectory(p)) continue
      if (CGROUP_NAME.test(e)) {
        if (notOthers(e, s) && (e !== 'lxc.pivot' || s.lxcPivot === true)) out.push(p)
      } else if (depth < 2) walk(p, depth + 1)
    }
  }
  for (const r of [...new Set(roots)]) walk(r, 0)
  return out
}

const mounts = (s: Scope): string[] =>
  parseMountinfo(safeRead('/proc/self/mountinfo'))
    .map((m) => m.mountPoint)
    .filter((p) => p.startsWith(s.home + '/') || p === s.home || p.startsWith(s.tmp + '/'))

/** Every path under a folder (relative), depth-first. */
const tree = (dir: string): string[] =>
  safeList(dir).flatMap((e) => {
    const p = join(dir, e)
    return [p, ...(isDirectory(p) ? tree(p) : [])]
  })

/** What a finished run keeps in its home: its folder and result.json, and the (empty) scratch folder. */
const KEPT = /^(runs|runs\/[^/]+|runs\/[^/]+\/result\.json|scratch)$/

const files = (s: Scope): string[] => [
  ...tree(s.home).filter((p) => !KEPT.test(relative(s.home, p))),
  // tsx's compile cache (the loader the tests run the CLI with, not the CLI) is not the run's
  ...tree(s.tmp).filter((p) => !/^tsx-\d+(\/|$)/.test(relative(s.tmp, p))),
  ...safeList('/tmp')
    .filter((n) => /^(virtcheck|vc)-/.test(n) && s.pids.some((pid) => n.includes(`-${pid}-`)))
    .map((n) => join('/tmp', n)),
]

export const snapshot = async (s: Scope): Promise<Snapshot> =>
  new Map<string, ReadonlySet<string>>([
    ['process', new Set(processes(s))],
    ['netns', new Set(await netns(s))],
    ['link', new Set(await links())],
    ['cgroup', new Set(cgroups(s))],
    ['mount', new Set(mounts(s))],
    ['file', new Set(files(s))],
  ])

/** `kind: what` for everything in `after` that was not in `before`. */
export const diff = (before: Snapshot, after: Snapshot): string[] =>
  [...after].flatMap(([kind, set]) => [...set].filter((x) => !before.get(kind)?.has(x)).map((x) => `${kind}: ${x}`))

/**
 * The leftovers of a finished run, looked at until none are left or `settleMs` has passed: a killed
 * child is reaped and a lazily unmounted tree goes away a moment after the run's exit.
 */
export const leftovers = async (before: Snapshot, s: Scope, settleMs = 1500): Promise<string[]> => {
  const until = Date.now() + settleMs
  for (;;) {
    const left = diff(before, await snapshot(s))
    if (left.length === 0 || Date.now() > until) return left
    await new Promise((r) => setTimeout(r, 150))
  }
}

/** A bench in a fresh home with its own TMPDIR (so that every temp file of the run is enumerated). */
export const startRun = (base: string, tag: string, args: string[]) => {
  const home = join(base, `${tag}-home`)
  const tmp = join(base, `${tag}-tmp`)
  mkdirSync(tmp, { recursive: true })
  const child = execa('node', ['--import', 'tsx', 'src/cli/entry.ts', 'bench', '--quick', ...args], {
    reject: false,
    timeout: 120_000,
    env: { NO_COLOR: '1', VIRTCHECK_HOME: home, TMPDIR: tmp },
  })
  let seen = ''
  const waiters: { re: RegExp; done: (v: boolean) => void }[] = []
  child.stderr.on('data', (c: Buffer) => {
    seen += c.toString()
    for (const w of waiters.splice(0).filter((x) => (x.re.test(seen) ? (x.done(true), false) : true))) waiters.push(w)
  })
  void child.then(() => waiters.splice(0).forEach((w) => w.done(w.re.test(seen))))
  const scope = { home, tmp, pids: [child.pid!] }
  return {
    scope: scope as Scope,
    child,
    seen: () => seen,
    /** Resolves when stderr matches (true) or the run ended without it (false). */
    when: (re: RegExp): Promise<boolean> => (re.test(seen) ? Promise.resolve(true) : new Promise((done) => waiters.push({ re, done }))),
  }
}

export interface ResultFile {
  partial: boolean
  results: { job: string; tier: string; samples: number[] }[]
}
export const resultOf = (home: string): ResultFile | undefined => {
  const runs = existsSync(join(home, 'runs')) ? readdirSync(join(home, 'runs')) : []
  const f = runs[0] === undefined ? undefined : join(home, 'runs', runs[0], 'result.json')
  return f && existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as ResultFile) : undefined
}
