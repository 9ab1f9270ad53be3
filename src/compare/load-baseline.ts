/**
 * The BASE side of `compare` and `gate`: one saved run, several, or history folders (`history add`),
 * in any mix. The newest run on the head's host becomes the primary baseline (it decides comparability
 * and added/removed cells); the others are earlier runs that give each cell its run-to-run noise.
 */
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { InputFileError } from '../core/errors.js'
import type { RunReport } from '../core/report.js'
import { readRunReport } from '../io/read-report.js'
import { loadRuns } from '../history/store.js'
import { hostProblems, tierChanges } from './pairing.js'

export interface Baseline {
  readonly primary: RunReport
  readonly earlier: readonly RunReport[]
  /** How the baseline is named in the output. */
  readonly source: string
}

const isDir = async (path: string): Promise<boolean> => {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false // a missing file is reported by the reader, with its usual one-line message
  }
}

export interface BaselineRun {
  readonly report: RunReport
  /** Loaded from a history folder (which may already hold the head run), not named as a file. */
  readonly fromHistory: boolean
}

/** Reads every source in the order given (so a missing first file is the one reported). */
export const loadBaselineRuns = async (cwd: string, sources: readonly string[]): Promise<BaselineRun[]> => {
  const runs: BaselineRun[] = []
  for (const src of sources) {
    const abs = resolve(cwd, src)
    if (await isDir(abs)) {
      const stored = await loadRuns(abs)
      if (stored.length === 0)
        throw new InputFileError(
          `${src}: the history folder holds no runs yet`,
          'add one with `virtcheck history add RESULT.json --dir DIR`',
        )
      runs.push(...stored.map((s) => ({ report: s.run, fromHistory: true })))
    } else runs.push({ report: await readRunReport(abs), fromHistory: false })
  }
  return runs
}

/** Pure: picks the primary baseline run for `head` from the loaded runs. */
export const chooseBaseline = (
  runs: readonly BaselineRun[],
  head: RunReport,
  sources: readonly string[],
  ignore: readonly string[],
): Baseline => {
  // One run given twice (a history folder and a copy of its file) counts once. The head run itself is
  // never part of its baseline (a history it was added to, a glob that matched it), except as the one
  // baseline named explicitly: comparing a file with itself is a legitimate A/A check.
  const key = (r: RunReport) => `${r.host.hostname}\u0000${r.startedAt}`
  const unique = [...new Map(runs.map((r) => [key(r.report), r])).values()]
  const isHead = (r: RunReport) => key(r) === key(head)
  const notHead = unique.filter((r) => !isHead(r.report)).map((r) => r.report)
  const others = notHead.length > 0 ? notHead : unique.filter((r) => !r.fromHistory).map((r) => r.report)
  if (others.length === 0) throw new InputFileError(`${sources.join(', ')}: the baseline holds no run other than the head run itself`)
  const byTime = [...others].sort((x, y) => (x.startedAt < y.startedAt ? -1 : x.startedAt > y.startedAt ? 1 : 0))
  // Newest finished run comparable with the head (host and tier configs) that ran all of the head's tiers
  // to completion, then relaxing those in turn: one broken or partial run must not become the reference.
  const sameHost = byTime.filter((r) => hostProblems(r, head, ignore).length === 0)
  const sameConfig = sameHost.filter((r) => tierChanges(r, head, ignore).configByTier.size === 0)
  const complete = sameConfig.filter(
    (r) => !r.partial && head.tiers.every((h) => r.tiers.some((t) => t.tier === h.tier && t.state === 'completed')),
  )
  const primary = (complete.at(-1) ?? sameConfig.at(-1) ?? sameHost.at(-1) ?? byTime.at(-1)) as RunReport
  const earlier = byTime.filter((r) => r !== primary)
  const source = others.length === 1 && sources.length === 1 ? (sources[0] as string) : `${sources.join(', ')} (${others.length} runs)`
  return { primary, earlier, source }
}
