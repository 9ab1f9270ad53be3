/**
 * A booted guest as a TierSession, for the x86 QEMU tiers and the aarch64 system-mode guest: each job
 * goes to the guest's agent with the guest's own disk and peer address, is bounded by a timeout that
 * allows for TCG, and a failure carries the guest console's tail.
 */
import type { JobOutcome, JobRequest, TierConfig, TierId, TierSession } from '../../core/tier.js'
import { jobTimeoutMs } from '../../agent/job-timeout.js'
import { scaledTimeoutMs } from '../../host/slowness.js'
import { scratchDiskFull } from '../../agent/scratch.js'
import type { GuestProcess } from './guest-process.js'
import { toGuestRequest } from './guest-request.js'
import { readGuestOverheadRssBytes } from './memory.js'

/** How much slower than native a job may run under TCG before its timeout counts it as wedged. */
export const TCG_SLOWDOWN = 4

export interface GuestSessionOptions {
  readonly tier: TierId
  readonly config: TierConfig
  readonly guest: GuestProcess
  /** The benchmark disk as the guest sees it (`/dev/vda`, `/dev/sda`). */
  readonly disk: string
  /** `HOST:PORT` of the peer on the guest's link, when the guest has a network. */
  readonly peer?: string
  readonly slowdown: number
  readonly memoryMib: number
  readonly signal: AbortSignal
  /** The host folder holding the guest disk: a failed job checks it for a full disk. */
  readonly scratchDir?: string
  /** Removes what the session created besides the guest (disk, socket folder...). */
  readonly undoAll: () => Promise<void>
}

export const guestSession = (o: GuestSessionOptions): TierSession => {
  const { guest } = o
  const withTail = (r: JobOutcome): JobOutcome =>
    r.kind === 'failed' ? { ...r, logTail: [r.logTail ?? '', '--- guest console ---', guest.tail()].join('\n').trim() } : r
  return {
    tier: o.tier,
    config: o.config,
    bootMs: guest.bootMs,
    run: async (req: JobRequest, signal?: AbortSignal): Promise<JobOutcome> => {
      const g = toGuestRequest(req, { disk: o.disk, ...(o.peer ? { peer: o.peer } : {}) })
      if (g.kind === 'refused') return { kind: 'failed', reason: g.reason }
      const r = withTail(await guest.client.run(g.req, scaledTimeoutMs(jobTimeoutMs(g.req, o.slowdown)), signal ?? o.signal))
      // the guest sees a full host disk only as I/O errors or a stalled disk: name the cause
      const full = r.kind === 'failed' && o.scratchDir ? await scratchDiskFull(o.scratchDir) : undefined
      return full && r.kind === 'failed' ? { ...r, reason: `${r.reason} (host ${full})` } : r
    },
    overheadRssBytes: () => readGuestOverheadRssBytes(guest.pid, o.memoryMib),
    close: async () => {
      await guest.close()
      await o.undoAll()
    },
  }
}

/**
 * What a guest tier sets up besides the guest (socket folder, disk, tap...): `undos` collects each
 * step's undo, `undoAll` runs them newest first (on close, or when the boot fails), once.
 */
export const guestUndos = (): { readonly undos: (() => Promise<void>)[]; readonly undoAll: () => Promise<void> } => {
  const undos: (() => Promise<void>)[] = []
  return {
    undos,
    undoAll: async () => {
      for (const u of undos.splice(0).reverse()) await u()
    },
  }
}

/** Boot, or undo all: the session `boot` returns, or, when any step of it throws, `undoAll` and the error. */
export const bootOrUndoAll = async (boot: () => Promise<TierSession>, undoAll: () => Promise<void>): Promise<TierSession> => {
  try {
    return await boot()
  } catch (e) {
    await undoAll()
    throw e
  }
}

/**
 * What the guest's vcwork said about its environment (the env op) that changes the numbers: the
 * clocksource (tsc vs hpet under TCG decides what every timed repetition costs), the CPUs and caches it
 * sees, and whether its address layout is fixed like the host's agents (vcwork's env.c).
 */
export const guestEnvFacts = (env: Record<string, unknown> | undefined): Record<string, string | number> => ({
  ...(typeof env?.['clocksource'] === 'string' ? { guestClocksourceAtBoot: env['clocksource'] } : {}),
  ...(typeof env?.['cpus'] === 'number' ? { guestCpus: env['cpus'] } : {}),
  // what the guest's CPUID says about caches; full-mode sizes come from the host's (src/bench/host-llc.ts)
  ...(typeof env?.['llcKb'] === 'number' ? { guestLlcKb: env['llcKb'] } : {}),
  ...(typeof env?.['addressLayout'] === 'string' ? { vcworkAddressLayout: env['addressLayout'] } : {}),
})
