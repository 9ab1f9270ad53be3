/**
 * How much slower this host runs than the hardware it describes. An emulated host (a TCG lab host:
 * everything ~10x slower) sets `VIRTCHECK_SLOWNESS=N`; every fixed timeout (probe commands, guest
 * boots, jobs) is multiplied by it, so a slow answer is waited for instead of being reported as
 * missing, and benchmark results carry a warning that their timings are not performance figures.
 * Unset, empty or not a number in [1, 100]: 1.
 */
export const SLOWNESS_ENV = 'VIRTCHECK_SLOWNESS'

export const slownessFactor = (env: Readonly<Record<string, string | undefined>> = process.env): number => {
  const raw = env[SLOWNESS_ENV]
  if (raw === undefined || raw.trim() === '') return 1
  const n = Number(raw)
  return Number.isFinite(n) && n >= 1 && n <= 100 ? n : 1
}

/** A timeout scaled by the host's slowness, rounded to whole milliseconds. */
export const scaledTimeoutMs = (ms: number, env: Readonly<Record<string, string | undefined>> = process.env): number => Math.round(ms * slownessFactor(env))
