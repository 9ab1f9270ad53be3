/**
 * The open context a tier test hands a driver: one folder for work and scratch files, no probe
 * findings unless given, a 10 s start limit and a silent log; `extra` overrides or adds the rest.
 */
import type { Cleanup } from '../../src/core/cleanup.js'
import type { TierOpenContext } from '../../src/core/tier.js'

export const tierContext = (dir: string, cleanup: Cleanup, extra: Partial<TierOpenContext> = {}): TierOpenContext => ({
  findings: [],
  workDir: dir,
  scratchDir: dir,
  cleanup,
  signal: new AbortController().signal,
  startTimeoutMs: 10_000,
  log: () => undefined,
  ...extra,
})
