/**
 * Opening and closing a tier's session with hard time limits, for the runner: a tier that hangs while
 * it starts or stops (a guest that never boots, a container engine that does not answer) costs the run
 * its limit, never the run.
 */
import type { TierDriver, TierOpenContext, TierSession } from '../core/tier.js'

const CLOSE_TIMEOUT_MS = 20_000

/** Race a tier's open() against a hard timeout; a late session is closed as soon as it appears. */
export const openWithTimeout = async (driver: TierDriver, ctx: TierOpenContext, limitMs: number): Promise<TierSession> => {
  let timer: NodeJS.Timeout | undefined
  const opening = driver.open(ctx)
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void opening.then((s) => s.close()).catch(() => undefined)
      reject(new Error(`${driver.id} did not start within ${Math.round(limitMs / 1000)} s`))
    }, limitMs)
  })
  try {
    return await Promise.race([opening, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Close a session, waiting at most CLOSE_TIMEOUT_MS; a failure to close is the tier's cleanup's business, not the run's. */
export const closeBounded = async (s: TierSession): Promise<void> => {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([s.close().catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, CLOSE_TIMEOUT_MS)))])
  clearTimeout(timer)
}

/** The log tail a tier's open() attached to its error (QEMU's console, an engine's stderr), if any. */
export const errorTail = (e: unknown): string | undefined => {
  const t = (e as { logTail?: unknown })?.logTail
  return typeof t === 'string' && t.trim() ? t : undefined
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e))
