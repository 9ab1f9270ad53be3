/**
 * `probe --deep` for cgroup controllers: write a real limit in a scratch child cgroup of each
 * controller a runtime would use, read it back, remove the child. v1 hierarchies (v1 and hybrid
 * hosts) or the v2 mount (pure v2). Root only; the child is registered for cleanup.
 */
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CleanupRegistry } from './cleanup.js'

export interface CgroupProof {
  readonly controller: string
  readonly ok: boolean
  readonly line: string
}

const V1: readonly [string, string, string][] = [
  ['memory', 'memory.limit_in_bytes', '67108864'],
  ['pids', 'pids.max', '64'],
  ['cpu', 'cpu.cfs_quota_us', '50000'],
  ['hugetlb', 'hugetlb.2MB.limit_in_bytes', '0'],
]
const V2: readonly [string, string, string][] = [
  ['memory', 'memory.max', '67108864'],
  ['pids', 'pids.max', '64'],
  ['cpu', 'cpu.max', '50000 100000'],
  ['hugetlb', 'hugetlb.2MB.max', '0'],
]

const tryOne = async (dir: string, controller: string, file: string, value: string, cleanup: CleanupRegistry): Promise<CgroupProof> => {
  try {
    await mkdir(dir)
  } catch (e) {
    return { controller, ok: false, line: `${controller}: cannot create ${dir}: ${(e as { code?: string }).code ?? String(e)}` }
  }
  const remove = cleanup.add(`rmdir ${dir}`, () => rmdir(dir).catch(() => undefined))
  try {
    await writeFile(join(dir, file), value)
    const back = (await readFile(join(dir, file), 'utf8')).trim()
    return { controller, ok: true, line: `${controller}: ${file} = ${value} written and read back (${back})` }
  } catch (e) {
    return { controller, ok: false, line: `${controller}: writing ${file} failed: ${(e as { code?: string }).code ?? String(e)}` }
  } finally {
    await remove()
  }
}

/** `mode` and `v2Root` come from the cgroups findings; `v1Only` limits a hybrid host to its v1 hierarchies. */
export const proveCgroupLimits = async (mode: string, v2Root: string | undefined, cleanup: CleanupRegistry): Promise<CgroupProof[]> => {
  const name = `virtcheck-proof-${process.pid}`
  if (mode === 'v2' && v2Root) {
    const subtree = await readFile(join(v2Root, 'cgroup.subtree_control'), 'utf8').catch(() => '')
    return Promise.all(
      V2.map(([c, f, v]) =>
        subtree.split(/\s+/).includes(c)
          ? tryOne(join(v2Root, `${name}-${c}`), c, f, v, cleanup)
          : Promise.resolve({ controller: c, ok: false, line: `${c}: not in ${v2Root}/cgroup.subtree_control` }),
      ),
    )
  }
  // v1 and hybrid: runc and crun set limits through the v1 hierarchy of each controller
  return Promise.all(
    V1.map(([c, f, v]) =>
      tryOne(join('/sys/fs/cgroup', c, name), c, f, v, cleanup).then((p) =>
        p.ok
          ? p
          : {
              ...p,
              line: `${p.line}${mode === 'hybrid' ? ' (no v1 hierarchy for it in this hybrid setup: runtimes cannot set this limit)' : ''}`,
            },
      ),
    ),
  )
}
