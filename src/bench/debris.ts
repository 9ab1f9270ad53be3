/**
 * What a crashed virtcheck run can leave behind, and how to remove it (for `virtcheck cleanup`).
 * Everything virtcheck creates carries the owner's pid in its name (`virtcheck-<pid>-...`), so debris
 * of a run that is still alive is never touched: only items whose owner pid is gone are listed.
 */
import { readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseMountinfo } from '../parse/mountinfo.js'
import { cmd } from '../net/ip-command.js'
import { readCgroupLayout, removeCgroupDir } from '../tiers/container/cgroups.js'
import { socketDirOwner } from '../tiers/qemu/strays.js'

export type DebrisKind = 'process' | 'mount' | 'netns' | 'cgroup' | 'file'

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

const findProcesses = async (): Promise<DebrisItem[]> => {
  const out: DebrisItem[] = []
  for (const p of (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d))) {
    const pid = Number(p)
    if (pid === process.pid) continue
    const cmdline = (await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ').trim()
    if (!cmdline.includes('virtcheck-') || !orphan(cmdline)) continue
    out.push({ kind: 'process', what: `pid ${pid}: ${cmdline.slice(0, 120)}`, remove: () => killHard(pid) })
  }
  return out
}

const findMounts = async (under: string): Promise<DebrisItem[]> => {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '')
  const points = parseMountinfo(info)
    .map((m) => m.mountPoint)
    .filter((m) => m.startsWith(under + '/') && orphan(m))
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
        for (const pid of pids.stdout.split('\n').map(Number).filter((x) => x > 0)) await killHard(pid)
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
      if (!/^(lxc\.(payload|monitor)\.)?virtcheck-\d+-/.test(name) || !orphan(name)) continue
      const dir = join(root, name)
      out.push({
        kind: 'cgroup',
        what: dir,
        remove: async () => {
          const procs = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')
          for (const pid of procs.split('\n').map(Number).filter((x) => x > 0)) await killHard(pid)
          await writeFile(join(dir, 'cgroup.kill'), '1').catch(() => undefined)
          await removeCgroupTree(dir)
        },
      })
    }
  }
  return out
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
  // QEMU agent socket folders (`$TMPDIR/vc-q-<pid>-XXXXXX`) of runs that are gone.
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const owner = socketDirOwner(name)
    if (owner === undefined || owner === process.pid || isAlive(owner)) continue
    const p = join(tmpdir(), name)
    out.push({ kind: 'file', what: `${p}/ (guest agent socket folder of a crashed run)`, remove: () => rm(p, { recursive: true, force: true }) })
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

/** In removal order: processes first (they hold namespaces, cgroups and mounts), files last. */
export const findDebris = async (home: string): Promise<DebrisItem[]> => [
  ...(await findProcesses()),
  ...(await findMounts(home)),
  ...(await findNetns()),
  ...(await findCgroups()),
  ...(await findFiles(home)),
]
