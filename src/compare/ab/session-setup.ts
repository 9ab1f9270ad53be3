/**
 * Everything `virtcheck ab` needs around the loop: the run setup it shares with `virtcheck bench`
 * (bench/open-run.ts: findings, host context, working folder, network peer), narrowed to one tier
 * that must be ready, and the two sessions opened with a hard start timeout.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { isVirtcheckError, UsageError, VirtcheckError } from '../../core/errors.js'
import type { Finding } from '../../core/finding.js'
import type { HostContext } from '../../core/report.js'
import type { PeerNetwork, TierDriver, TierId, TierOpenContext, TierSession } from '../../core/tier.js'
import type { Cleanup } from '../../core/cleanup.js'
import { workDir } from '../../host/paths.js'
import { openRunResources, probeForRun } from '../../bench/open-run.js'
import { loadTierDrivers } from '../../tiers/index.js'

export interface AbEnvironment {
  readonly driver: TierDriver
  readonly findings: readonly Finding[]
  readonly host: HostContext
  readonly workDir: string
  readonly scratchDir: string
  readonly network?: PeerNetwork
  /** Why net jobs cannot run (no peer), when they were asked for. */
  readonly networkUnavailable?: string
}

export const prepareAb = async (
  tier: TierId,
  o: {
    readonly env: Readonly<Record<string, string | undefined>>
    readonly cwd: string
    readonly cleanup: Cleanup
    readonly needsPeer: boolean
    readonly maxSeconds: number
    readonly log: (l: string) => void
  },
): Promise<AbEnvironment> => {
  const driver = (await loadTierDrivers())(tier)
  if (!driver) throw new UsageError(`ab: this build of virtcheck has no driver for tier ${tier}`)
  o.log('probing the host…')
  const { findings, readiness: all, hostContext } = await probeForRun({ env: o.env, cwd: o.cwd })
  const readiness = all.find((r) => r.tier === tier)
  if (readiness && !readiness.ready)
    throw new UsageError(`ab: tier ${tier} is not ready here: ${readiness.summary}`, readiness.remediation.summary)
  const res = await openRunResources(o.cleanup, {
    home: workDir({ env: o.env, cwd: o.cwd }),
    // the owner pid in the name lets `virtcheck cleanup` find a killed ab's folder (and its scratch disks)
    work: { tempPrefix: `ab-${process.pid}-` },
    label: 'ab working folder',
    scratch: 'inside',
    tiers: [tier],
    needsPeer: o.needsPeer,
    maxSeconds: o.maxSeconds,
    tolerate: 'any',
    log: o.log,
  })
  return {
    driver,
    findings,
    host: await hostContext(),
    workDir: res.workDir,
    scratchDir: res.scratchDir,
    ...(res.network ? { network: res.network } : {}),
    ...(res.networkUnavailable ? { networkUnavailable: res.networkUnavailable } : {}),
  }
}

/** Open one side; a session that appears after the limit is closed at once. */
export const openSide = async (
  env: AbEnvironment,
  ctx: Omit<TierOpenContext, 'findings' | 'workDir' | 'scratchDir' | 'network'>,
  side: 'A' | 'B',
): Promise<TierSession> => {
  const full: TierOpenContext = {
    ...ctx,
    findings: env.findings,
    workDir: join(env.workDir, side),
    scratchDir: join(env.scratchDir, side),
    ...(env.network ? { network: env.network } : {}),
  }
  await mkdir(full.workDir, { recursive: true })
  await mkdir(full.scratchDir, { recursive: true })
  let timer: NodeJS.Timeout | undefined
  const opening = env.driver.open(full)
  try {
    return await Promise.race([
      opening,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          void opening.then((s) => s.close()).catch(() => undefined)
          reject(new Error(`${env.driver.id} (${side}) did not start within ${Math.round(ctx.startTimeoutMs / 1000)} s`))
        }, ctx.startTimeoutMs + 5000)
      }),
    ])
  } catch (e) {
    if (isVirtcheckError(e)) throw e
    // Nothing to compare without both sides: a clear one-line failure (exit 1), with the log tail if any.
    const tail = (e as { logTail?: unknown }).logTail
    throw new VirtcheckError(
      'VIRTCHECK_TIER_FAILED',
      `ab: ${env.driver.id} (${side}) failed to start: ${e instanceof Error ? e.message : String(e)}`,
      {
        exitCode: 1,
        ...(typeof tail === 'string' && tail.trim() ? { hint: `log tail:\n${tail.trim().split('\n').slice(-15).join('\n')}` } : {}),
      },
    )
  } finally {
    clearTimeout(timer)
  }
}
