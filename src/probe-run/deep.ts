/**
 * `probe --deep`: prove readiness by acting. Each tier the findings call ready (and the KVM tiers
 * whenever /dev/kvm opens, because "the API works" is not "a guest boots") is opened through its tier
 * driver, runs one tiny sys.syscall job, and is closed, all under a hard timeout. A tier that does not
 * come up in time becomes not ready, with its log/console tail as evidence. Tiers run one at a time
 * (a shared 2-core box must not boot several guests at once).
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Finding } from '../core/finding.js'
import type { JobOutcome, JobRequest, TierDriver, TierId, TierReadiness, TierSession } from '../core/tier.js'
import type { Cleanup } from '../core/cleanup.js'
import { scaledTimeoutMs } from '../host/slowness.js'
import { TIER_DEFINITIONS } from '../tiers/definitions.js'
import type { DriverLookup } from '../tiers/index.js'

export interface DeepOptions {
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cleanup: Cleanup
  readonly signal: AbortSignal
  readonly log: (line: string) => void
  /** Per-tier limit. @default the tier definition's deep.timeoutMs, scaled by the host's slowness */
  readonly timeoutMs?: number
  /** Tier driver lookup (tests pass fakes). @default src/tiers/index.ts loadTierDrivers */
  readonly driverFor?: DriverLookup
  /** Prove only these tiers (`probe --deep-tiers`); the others keep the findings' verdict. @default all candidates */
  readonly only?: readonly TierId[]
  /** The smoke job. @default sys.syscall, 1 rep, targetMs 20 */
  readonly job?: JobRequest
}

export const defaultTimeoutMs = (tier: TierId): number => scaledTimeoutMs(TIER_DEFINITIONS[tier].deep.timeoutMs)

const smokeJob = async (): Promise<JobRequest> => {
  const { jobById, requestParams } = await import('../../workloads/index.js')
  const spec = jobById('sys.syscall')
  if (!spec) return { job: 'sys.syscall', reps: 1, params: { targetMs: 20 } }
  const { params } = requestParams(spec, 'quick')
  const flat = Object.fromEntries(Object.entries(params).filter(([, v]) => typeof v === 'string' || typeof v === 'number')) as Record<
    string,
    string | number
  >
  return { job: 'sys.syscall', reps: 1, params: { ...flat, targetMs: 20 } }
}

/** Should --deep try this tier? Ready ones, plus those whose definition says so whenever the KVM API test opened /dev/kvm. */
export const deepCandidates = (readiness: readonly TierReadiness[], findings: readonly Finding[]): TierId[] => {
  const kvmOpens = findings.find((f) => f.id === 'kvm.api')?.facts?.['createVm'] === 'ok'
  return readiness.filter((r) => r.ready || (TIER_DEFINITIONS[r.tier].deep.tryWhenKvmOpens && kvmOpens)).map((r) => r.tier)
}

type Attempt = { kind: 'ok'; words: string } | { kind: 'failed'; why: string; logTail?: string }

const withDeadline = async <T>(p: Promise<T>, ms: number, ac: AbortController, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`))
      reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`))
    }, ms)
  })
  try {
    return await Promise.race([p, deadline])
  } finally {
    clearTimeout(timer)
  }
}

const attempt = async (
  driver: TierDriver,
  findings: readonly Finding[],
  job: JobRequest,
  timeoutMs: number,
  opts: DeepOptions,
): Promise<Attempt> => {
  const ac = new AbortController()
  const onAbort = () => ac.abort(opts.signal.reason)
  opts.signal.addEventListener('abort', onAbort, { once: true })
  // the owner pid in the name lets `virtcheck cleanup` find the scratch disks of a killed probe --deep
  const workDir = await mkdtemp(join(tmpdir(), `virtcheck-deep-${process.pid}-${driver.id}-`))
  const removeWork = opts.cleanup.add(`remove ${workDir}`, () => rm(workDir, { recursive: true, force: true }))
  const scratchDir = join(workDir, 'scratch')
  await mkdir(scratchDir, { recursive: true })
  const started = performance.now()
  const logLines: string[] = []
  let session: TierSession | undefined
  try {
    const openP = driver.open({
      findings,
      workDir,
      scratchDir,
      cleanup: opts.cleanup,
      signal: ac.signal,
      startTimeoutMs: timeoutMs,
      log: (l) => logLines.push(l),
    })
    session = await withDeadline(openP, timeoutMs, ac, 'start')
    const left = Math.max(1000, timeoutMs - (performance.now() - started))
    const outcome: JobOutcome = await withDeadline(session.run(job, ac.signal), left, ac, 'sys.syscall job')
    if (outcome.kind === 'failed')
      return { kind: 'failed', why: `smoke job failed: ${outcome.reason}`, ...(outcome.logTail ? { logTail: outcome.logTail } : {}) }
    const s = outcome.samples[0]
    return {
      kind: 'ok',
      words: `${session.bootMs !== undefined ? `started in ${Math.round(session.bootMs)} ms, ` : ''}sys.syscall ${s ? `${s.value.toFixed(0)} ${s.unit}` : 'ran'}`,
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e)
    const tail = logLines.slice(-12).join('\n')
    return { kind: 'failed', why: msg.split('\n')[0] ?? msg, ...(tail ? { logTail: tail } : {}) }
  } finally {
    opts.signal.removeEventListener('abort', onAbort)
    if (session) await withDeadline(session.close(), 15_000, new AbortController(), 'close').catch(() => undefined)
    await removeWork()
  }
}

export const deepVerify = async (
  readiness: readonly TierReadiness[],
  findings: readonly Finding[],
  opts: DeepOptions,
): Promise<TierReadiness[]> => {
  const driverFor = opts.driverFor ?? (await (await import('../tiers/index.js')).loadTierDrivers())
  const job = opts.job ?? (await smokeJob())
  const todo = new Set(deepCandidates(readiness, findings).filter((t) => opts.only === undefined || opts.only.includes(t)))
  const out: TierReadiness[] = []
  for (const r of readiness) {
    if (!todo.has(r.tier) || opts.signal.aborted) {
      out.push(r)
      continue
    }
    const driver = driverFor(r.tier)
    if (!driver) {
      out.push(r.ready ? { ...r, notes: [...(r.notes ?? []), '--deep: no driver for this tier in this build, not proved'] } : r)
      continue
    }
    const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs(r.tier)
    opts.log(`deep: ${r.tier}: starting (limit ${Math.round(timeoutMs / 1000)} s)`)
    const a = await attempt(driver, findings, job, timeoutMs, opts)
    // Tier errors already start with the tier's name (as bench shows them); say it once here.
    const said = a.kind === 'ok' ? a.words : a.why
    opts.log(`deep: ${r.tier}: ${said.startsWith(`${r.tier}: `) ? said.slice(r.tier.length + 2) : said}`)
    if (a.kind === 'ok') {
      out.push(
        r.ready
          ? { ...r, provedBy: a.words }
          : { tier: r.tier, ready: true, summary: `works despite the findings: ${a.words}`, provedBy: a.words },
      )
      continue
    }
    const tail = a.logTail !== undefined ? { logTail: a.logTail } : {}
    if (r.ready)
      out.push({
        tier: r.tier,
        ready: false,
        summary: `--deep: ${a.why}`,
        blockedBy: ['probe.deep'],
        remediation: { summary: 'The findings said ready but starting the tier failed; see the log tail.' },
        ...tail,
      })
    else out.push({ ...r, summary: `${r.summary}; --deep confirmed: ${a.why}`, ...tail })
  }
  return out
}
