/**
 * How much slower than a typical host this one runs, so a probe on an emulated or overloaded machine
 * waits long enough for `qemu --version` instead of calling it absent. `VIRTCHECK_TIMEOUT_SCALE` (a
 * number from 1 to 1000) sets it; otherwise it is calibrated from how long node's own bootstrap took
 * in this process (fixed once the process runs, so a long-running bench does not drift): ~40-100 ms on
 * a typical host, seconds under qemu-user or TCG. 2 s of bootstrap means every limit x20.
 */
import { performance } from 'node:perf_hooks'

export const TYPICAL_STARTUP_MS = 100
export const MAX_CALIBRATED_SCALE = 50

/** The env value, or an error message for a bad one (the CLI turns it into a usage error). */
export const scaleFromEnv = (env: NodeJS.ProcessEnv): number | string | undefined => {
  const raw = env['VIRTCHECK_TIMEOUT_SCALE']
  if (raw === undefined || raw === '') return undefined
  const n = Number(raw)
  return Number.isFinite(n) && n >= 1 && n <= 1000 ? n : `VIRTCHECK_TIMEOUT_SCALE must be a number from 1 to 1000, got ${JSON.stringify(raw)}`
}

export const timeoutScale = (env: NodeJS.ProcessEnv = process.env, startupMs: number = performance.nodeTiming.bootstrapComplete): number => {
  const e = scaleFromEnv(env)
  if (typeof e === 'number') return e
  return Math.min(MAX_CALIBRATED_SCALE, Math.max(1, startupMs / TYPICAL_STARTUP_MS))
}
