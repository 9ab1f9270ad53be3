/**
 * What a crashed virtcheck run can leave behind, and how to remove it (for `virtcheck cleanup`).
 * Ownership is decided by evidence only: a process carries the run's mark in its environment
 * (src/host/run-mark.ts: owner pid AND start time); netns and cgroups are named `virtcheck-<pid>-...`
 * from the start of the name; files are the run's own folders under a home (`runs/<time>/work-<pid>`,
 * `ab-<pid>-*`, `scratch/*-<pid>.raw`) or `$TMPDIR/virtcheck-deep-<pid>-*` of probe --deep; docker and
 * podman containers carry the mark as labels (debris-containers.ts). Debris of a
 * run that is still alive is never touched, and nothing is taken from a pattern in a command line.
 */
import { readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseMountinfo } from '../parse/mountinfo.js'
import { cmd } from '../net/ip-command.js'
import { readCgroupLayout, removeCgroupDir } from '../tiers/container/cgroups.js'
import { socketDirOwner } from '../tiers/qemu/strays.js'
import { markOwnerAlive, ownRunMark, processStartTime, readProcessMark } from '../host/run-mark.js'
import { safeLine } from '../../reports/format/safe-text.js'
import { findContainers } from './debris-containers.js'

export type DebrisKind = 'container' | 'image' | 'process' | 'mount' | 'netns' | 'cgroup' | 'file'

export interface DebrisItem {
  readonly kind: DebrisKind
  readonly what: string
  remove(): Promise<void>
}

/** `virtcheck-<pid>-...` anywhere in a name -> the owner pid. */
export const ownerPid = (name: string): number | undefined => {
  const m = /virtcheck-(\d+)-/.exec(name)
  return m ? Number(m[1]) : undefined
}

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM'
  }
}

/** Debris whose owner is dead (or, for names without a pid, that is older than maxAgeMs). */
const orphan = (name: string): boolean => {
  const pid = ownerPid(name)
  return pid !== undefined && pid !== process.pid && !isAlive(pid)
}

const killHard = async (pid: number): Promise<void> => {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone
  }
}

/** Processes marked by a run that is gone (same pid and start time checked again just before the kill). */
const findProcesses = async (): Promise<DebrisItem[]> => {
  const out: DebrisItem[] = []
  const self = ownRunMark()
  for (const p of (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d))) {
    const pid = Number(p)
    if (pid === process.pid) continue
    const mark = readProcessMark(pid)
    if (!mark || (self && mark.pid === self.pid && mark.startTime === self.startTime) || markOwnerAlive(mark)) continue
    const started = processStartTime(pid)
    const cmdline = safeLine((await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ').trim())
    out.push({
      kind: 'process',
      what: `pid ${pid}: ${cmdline.slice(0, 120)} (started by run ${mark.pid}, which is gone)`,
      remove: async () => {
        // the same process still (pid not reused since it was listed), still marked by that dead run
        const again = readProcessMark(pid)
        if (processStartTime(pid) === started && again?.pid === mark.pid && again.startTime === mark.startTime) await killHard(pid)
      },
    })
  }
  return out
}

/** `runs/<time>/work-<pid>/...` under a home -> pid (the home's own name is never read for a pid). */
const workOwner = (home: string, path: string): number | undefined => {
  if (!path.startsWith(home + '/')) return undefined
  const m = /^runs\/[^/]+\/work-(\d+)(\/|$)|^ab-(\d+)-[^/]*(\/|$)/.exec(path.slice(home.length + 1))
  return m ? Number(m[1] ?? m[3]) : undefined
}

const deadOwner = (pid: number | undefined): boolean => pid !== undefined && pid !== process.pid && !isAlive(pid)

const findMounts = async (under: string): Promise<DebrisItem[]> => {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '')
  const points = parseMountinfo(info)
    .map((m) => m.mountPoint)
    .filter((m) => deadOwner(workOwner(under, m)) || deadOwner(deepOwner(m)))
  // deepest first
  return points
    .sort((a, b) => b.length - a.length)
    .map((m) => ({ kind: 'mount' as const, what: m, remove: async () => void (await cmd(['umount', '-l', m])) }))
}

const findNetns = async (): Promise<DebrisItem[]> => {
  const r = await cmd(['ip', 'netns', 'list'])
  if (!r.ok) return []
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => /^virtcheck-\d+-\d+$/.test(n) && orphan(n))
    .map((n) => ({
      kind: 'netns' as const,
      what: `network namespace ${n} (and the veth/tap devices inside it)`,
      remove: async () => {
        const pids = await cmd(['ip', 'netns', 'pids', n])
        for (const pid of pids.stdout
          .split('\n')
          .map(Number)
          .filter((x) => x > 0))
          await killHard(pid)
        await cmd(['ip', 'netns', 'del', n])
      },
    }))
}

const findCgroups = async (): Promise<DebrisItem[]> => {
  const layout = await readCgroupLayout()
  const roots = [...new Set([...(layout.v1Mounts ?? Object.values(layout.v1)), ...(layout.v2Mount ? [layout.v2Mount] : [])])]
  const out: DebrisItem[] = []
  for (const root of roots) {
    for (const name of await readdir(root).catch(() => [] as string[])) {
      // ours directly, or lxc's payload/monitor groups of one of our lxc containers
      if (name === 'lxc.pivot') {
        // lxc's own pivot group, left in every hierarchy when lxc is killed: removed only when it is
        // empty and no lxc process of a virtcheck run is alive (it holds nothing then)
        if ((await cgroupEmpty(join(root, name))) && !(await liveMarkedLxc()))
          out.push({
            kind: 'cgroup',
            what: `${join(root, name)} (empty lxc.pivot left by a killed lxc)`,
            remove: () => removeCgroupTree(join(root, name)),
          })
        continue
      }
      if (!/^(lxc\.(payload|monitor)\.)?virtcheck-\d+-/.test(name) || !orphan(name)) continue
      const dir = join(root, name)
      out.push({
        kind: 'cgroup',
        what: dir,
        remove: async () => {
          const procs = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')
          for (const pid of procs
            .split('\n')
            .map(Number)
            .filter((x) => x > 0))
            await killHard(pid)
          await writeFile(join(dir, 'cgroup.kill'), '1').catch(() => undefined)
          await removeCgroupTree(dir)
        },
      })
    }
  }
  return out
}

const cgroupEmpty = async (dir: string): Promise<boolean> => {
  const procs = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => 'unreadable')).trim()
  if (procs !== '') return false
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => []))
    if (e.isDirectory() && !(await cgroupEmpty(join(dir, e.name)))) return false
  return true
}

/** Is an lxc process started by a live virtcheck run running now? */
const liveMarkedLxc = async (): Promise<boolean> => {
  for (const p of (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d))) {
    const comm = (await readFile(`/proc/${p}/comm`, 'utf8').catch(() => '')).trim()
    if (!comm.startsWith('lxc')) continue
    const mark = readProcessMark(Number(p))
    if (!mark || markOwnerAlive(mark)) return true // an lxc that is not ours, or a live run's: leave lxc.pivot alone
  }
  return false
}

/** `$TMPDIR/virtcheck-deep-<pid>-<tier>-XXXXXX/...` of probe --deep -> pid. */
const deepOwner = (path: string): number | undefined => {
  const prefix = join(tmpdir(), 'virtcheck-deep-')
  const m = path.startsWith(prefix) ? /^(\d+)-/.exec(path.slice(prefix.length)) : null
  return m ? Number(m[1]) : undefined
}

const removeCgroupTree = async (dir: string): Promise<void> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const e of entries) if (e.isDirectory()) await removeCgroupTree(join(dir, e.name))
  if (!(await removeCgroupDir(dir))) await rmdir(dir) // still busy: fail with the kernel's reason
}

/** Run work dirs (`runs/<time>/work-<pid>` and the rootfs trees inside), scratch files and disks. */
const findFiles = async (home: string): Promise<DebrisItem[]> => {
  const out: DebrisItem[] = []
  const runs = join(home, 'runs')
  for (const run of await readdir(runs).catch(() => [] as string[])) {
    for (const entry of await readdir(join(runs, run)).catch(() => [] as string[])) {
      const m = /^work-(\d+)$/.exec(entry)
      if (m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]))) {
        const p = join(runs, run, entry)
        out.push({ kind: 'file', what: `${p}/ (work dir of a crashed run)`, remove: () => rm(p, { recursive: true, force: true }) })
      }
    }
  }
  // ab's working folders (`ab-<pid>-XXXXXX`, with their scratch disks) of runs that are gone
  for (const entry of await readdir(home).catch(() => [] as string[])) {
    const pid = workOwner(home, join(home, entry))
    if (entry.startsWith('ab-') && deadOwner(pid))
      out.push({
        kind: 'file',
        what: `${join(home, entry)}/ (working folder of a killed ab)`,
        remove: () => rm(join(home, entry), { recursive: true, force: true }),
      })
  }
  // run folders left empty (a run killed before it saved anything)
  for (const run of await readdir(runs).catch(() => [] as string[])) {
    const entries = await readdir(join(runs, run)).catch(() => undefined)
    const leftWork = (entries ?? []).some((e) => /^work-\d+$/.test(e) && deadOwner(Number(e.slice(5))))
    if (entries && (entries.length === 0 || (leftWork && entries.every((e) => /^work-\d+$/.test(e) && deadOwner(Number(e.slice(5)))))))
      out.push({
        kind: 'file',
        what: `${join(runs, run)}/ (run folder with no result)`,
        remove: () => rmdir(join(runs, run)).catch(() => rm(join(runs, run), { recursive: true, force: true })),
      })
  }
  const scratch = join(home, 'scratch')
  const liveWork = await anyLiveRun(runs)
  for (const f of await readdir(scratch).catch(() => [] as string[])) {
    const ours = f.startsWith('vc-') || f.startsWith('virtcheck-')
    if (!ours) continue
    const pid = /-(\d+)\.raw$/.exec(f)?.[1]
    const dead = pid !== undefined ? !isAlive(Number(pid)) : !liveWork
    if (!dead) continue
    const p = join(scratch, f)
    const size = (await stat(p).catch(() => undefined))?.size ?? 0
    out.push({ kind: 'file', what: `${p} (${Math.round(size / 1048576)} MiB scratch)`, remove: () => rm(p, { force: true }) })
  }
  // probe --deep working folders (their 1 GiB scratch disks) of runs that are gone
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const p = join(tmpdir(), name)
    if (deadOwner(deepOwner(p)))
      out.push({
        kind: 'file',
        what: `${p}/ (probe --deep working folder of a killed run)`,
        remove: () => rm(p, { recursive: true, force: true }),
      })
  }
  // QEMU agent socket folders (`$TMPDIR/vc-q-<pid>-XXXXXX`) of runs that are gone.
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const owner = socketDirOwner(name)
    if (owner === undefined || owner === process.pid || isAlive(owner)) continue
    const p = join(tmpdir(), name)
    out.push({
      kind: 'file',
      what: `${p}/ (guest agent socket folder of a crashed run)`,
      remove: () => rm(p, { recursive: true, force: true }),
    })
  }
  return out
}

const anyLiveRun = async (runs: string): Promise<boolean> => {
  for (const run of await readdir(runs).catch(() => [] as string[]))
    for (const entry of await readdir(join(runs, run)).catch(() => [] as string[])) {
      const m = /^work-(\d+)$/.exec(entry)
      if (m && Number(m[1]) !== process.pid && isAlive(Number(m[1]))) return true
    }
  return false
}

/**
 * In removal order: containers and processes first (they hold namespaces, cgroups and mounts), files last. Every home
 * given is searched (`--home DIR`, repeatable); what is not under a home is searched once.
 */
export const findDebris = async (homes: string | readonly string[]): Promise<DebrisItem[]> => {
  const list = [...new Set(typeof homes === 'string' ? [homes] : homes)]
  const mounts = (await Promise.all(list.map(findMounts))).flat()
  const files = (await Promise.all(list.map(findFiles))).flat()
  const seen = new Set<string>()
  const once = (items: DebrisItem[]) =>
    items.filter((i) => (seen.has(`${i.kind} ${i.what}`) ? false : (seen.add(`${i.kind} ${i.what}`), true)))
  // containers first: removing one ends its processes and frees its cgroups
  return once([
    ...(await findContainers()),
    ...(await findProcesses()),
    ...mounts,
    ...(await findNetns()),
    ...(await findCgroups()),
    ...files,
  ])
}
