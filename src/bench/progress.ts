/**
 * Progress on stderr: tier, job, repetitions so far, CI achieved and the time left for the run. On a
 * TTY one line that updates in place; otherwise plain lines at job boundaries (logs stay readable).
 */
import type { Style } from '../../reports/format/style.js'
import { safeText } from '../../reports/format/safe-text.js'

export interface JobProgress {
  readonly tier: string
  readonly job: string
  readonly reps: number
  /** Worst relative CI half-width over the job's metrics so far. */
  readonly ciHalfWidth: number
  /** 0-based index of this (tier, job) cell, and how many cells the run plans. */
  readonly cell: number
  readonly cells: number
  readonly finished: boolean
}

export interface ProgressSink {
  job(p: JobProgress): void
  /** A message that must stay on screen (tier started, failed...). */
  note(text: string): void
  done(): void
}

export interface ProgressWriter {
  write(text: string): void
  readonly isTTY: boolean
}

export const formatEta = (ms: number): string => {
  if (!Number.isFinite(ms) || ms < 0) return '?'
  const s = Math.round(ms / 1000)
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`
}

/** ETA from the mean cell time so far, never beyond the run's deadline. */
export const estimateEtaMs = (elapsedMs: number, cellsDone: number, cells: number, deadlineLeftMs: number): number => {
  if (cellsDone <= 0) return deadlineLeftMs
  return Math.max(0, Math.min(deadlineLeftMs, (elapsedMs / cellsDone) * (cells - cellsDone)))
}

export const formatJobProgress = (p: JobProgress, etaMs: number): string => {
  const ci = Number.isFinite(p.ciHalfWidth) ? `±${(p.ciHalfWidth * 100).toFixed(1)}%` : '±?'
  return `[${p.cell + 1}/${p.cells}] ${p.tier} ${p.job}: ${p.reps} rep${p.reps === 1 ? '' : 's'}, CI ${ci}, ~${formatEta(etaMs)} left`
}

export const createProgress = (
  out: ProgressWriter,
  style: Style,
  opts: { readonly runBudgetMs: number; readonly now?: () => number; readonly quiet?: boolean },
): ProgressSink => {
  const now = opts.now ?? (() => performance.now())
  const t0 = now()
  let cellsDone = 0
  let live = false
  const clear = () => {
    if (live) out.write('\r\x1b[K')
    live = false
  }
  return {
    job(p) {
      if (opts.quiet) return
      if (p.finished) cellsDone = Math.max(cellsDone, p.cell + 1)
      const elapsed = now() - t0
      const eta = estimateEtaMs(elapsed, p.finished ? cellsDone : p.cell, p.cells, opts.runBudgetMs - elapsed)
      const line = safeText(formatJobProgress(p, eta))
      if (out.isTTY) {
        out.write('\r\x1b[K' + style.chalk.dim(line.slice(0, style.width - 1)))
        live = true
      } else if (p.finished) {
        out.write(line + '\n')
      }
    },
    note(text) {
      if (opts.quiet) return
      clear()
      // notes quote tier errors and log tails (guest consoles, container stderr): never raw
      out.write(safeText(text) + '\n')
    },
    done() {
      clear()
    },
  }
}

export const silentProgress: ProgressSink = { job: () => undefined, note: () => undefined, done: () => undefined }
