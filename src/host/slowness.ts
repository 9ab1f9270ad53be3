/**
 * How much slower this host runs than a typical one, so a slow answer is waited for instead of being
 * reported as missing (seen in an emulated host: `qemu --version` timed out and was called absent).
 * One factor from two sources:
 * - declared: `VIRTCHECK_SLOWNESS=N` (1-1000). An emulated host (a TCG lab host runs everything ~10x
 *   slower) says so, and benchmark results then carry a warning that their timings are not
 *   performance figures;
 * - otherwise calibrated from how long Node's own bootstrap took in this process (fixed once the
 *   process runs, so a long bench does not drift): ~40-100 ms on a typical host, seconds under
 *   qemu-user or TCG; 2 s of bootstrap means every limit x20, at most x50.
 * Every fixed timeout (probe commands, guest boots, jobs) is multiplied by it: they are bounds, not targets.
 */
import { performance } from 'node:perf_hooks'

export const SLOWNESS_ENV = 'VIRTCHECK_SLOWNESS'
export const TYPICAL_STARTUP_MS = 100
export const MAX_CALIBRATED_SCALE = 50

type Env = Readonly<Record<string, string | undefined>>

/** The declared slowness, or an error message for a bad value (the CLI turns it into a usage error). */
export const scaleFromEnv = (env: Env): number | string | undefined => {
  const raw = env[SLOWNESS_ENV]
  if (raw === undefined || raw === '') return undefined
  const n = Number(raw)
  return raw.trim() !== '' && Number.isFinite(n) && n >= 1 && n <= 1000
    ? n
    : `${SLOWNESS_ENV} must be a number from 1 to 1000, got ${JSON.stringify(raw)}`
}

/** The declared slowness only (1 when none or invalid): what the bench warns about. */
export const slownessFactor = (env: Env = process.env): number => {
  const e = scaleFromEnv(env)
  return typeof e === 'number' ? e : 1
}

/** The factor every time limit is multiplied by: declared, else calibrated from Node's start-up. */
export const timeoutScale = (env: Env = process.env, startupMs: number = performance.nodeTiming.bootstrapComplete): number => {
  const e = scaleFromEnv(env)
  if (typeof e === 'number') return e
  return Math.min(MAX_CALIBRATED_SCALE, Math.max(1, startupMs / TYPICAL_STARTUP_MS))
}

/** A timeout scaled by the host's slowness, rounded to whole milliseconds. */
export const scaledTimeoutMs = (ms: number, env: Env = process.env): number => Math.round(ms * timeoutScale(env))
