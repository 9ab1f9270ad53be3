/**
 * Memory overhead of a tier's machinery: the resident memory of every process in the agent's
 * process group (runtime, monitor, init shims) except the workload itself (comm `vcwork`).
 */
import { readdir, readFile } from 'node:fs/promises'

/** Parse /proc/PID/stat: comm may contain spaces and parentheses, so split after the last ')'. */
export const parseStat = (text: string): { comm: string; pgrp: number; rssPages: number } | undefined => {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return undefined
  const rest = text.slice(close + 2).split(' ')
  // rest[0] = state (field 3); pgrp is field 5 -> rest[2]; rss is field 24 -> rest[21]
  const pgrp = Number(rest[2])
  const rssPages = Number(rest[21])
  if (!Number.isFinite(pgrp) || !Number.isFinite(rssPages)) return undefined
  return { comm: text.slice(open + 1, close), pgrp, rssPages }
}

const PAGE = 4096

export const groupOverheadRssBytes = async (pgid: number, workloadComm = 'vcwork'): Promise<number | undefined> => {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d))
  let total = 0
  let seen = 0
  for (const pid of pids) {
    const st = parseStat(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''))
    if (!st || st.pgrp !== pgid) continue
    seen++
    if (st.comm !== workloadComm) total += st.rssPages * PAGE
  }
  return seen > 0 ? total : undefined
}
