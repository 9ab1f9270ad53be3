/**
 * Everything `virtcheck ab` needs around the loop, from the same building blocks `virtcheck bench`
 * uses: probe the host (readiness of the tier, host context, findings for the driver), a working
 * folder registered for cleanup, the network peer when net jobs run outside the host namespace, and
 * the two sessions opened with a hard start timeout.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { isVirtcheckError, UsageError, VirtcheckError } from '../../core/errors.js'
import type { Finding } from '../../core/finding.js'
import type { HostContext } from '../../core/report.js'
import type { PeerNetwork, TierDriver, TierId, TierOpenContext, TierSession } from '../../core/tier.js'
import type { CleanupRegistry } from '../../host/cleanup.js'
import { startHostContext } from '../../host/context.js'
import { workDir } from '../../host/paths.js'
import { RealHost } from '../../host/real-host.js'
import { createPeerNetwork } from '../../net/peer.js'
import { decideReadiness } from '../../probe/readiness.js'
import { runProbes } from '../../probe/run-probes.js'
import { probeEnvFor } from '../../probe/load-host.js'
import { vcworkFinding } from '../../probe/self-check.js'
import { PROBES } from '../../../probes/index.js'
import { tierDriver } from '../../tiers/index.js'

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
    readonly cleanup: CleanupRegistry; readonly needsPeer: boolean; readonly maxSeconds: number; readonly log: (l: string) => void },
): Promise<AbEnvironment> => {
  const driver = tierDriver(tier)
  if (!driver) throw new UsageError(`ab: this build of virtcheck has no driver for tier ${tier}`)
  const host = new RealHost()
  const context = startHostContext(host)
  o.log('probing the host…')
  // The same findings `virtcheck probe` decides readiness from (the probes plus virtcheck's own helper check).
  const findings = [...(await runProbes(host, PROBES, probeEnvFor(o.env, o.cwd))), vcworkFinding(host.identity.arch)]
  const readiness = decideReadiness(findings, host.identity.arch).find((r) => r.tier === tier)
  if (readiness && !readiness.ready)
    throw new UsageError(`ab: tier ${tier} is not ready here: ${readiness.summary}`, readiness.remediation.summary)
  const base = workDir()
  await mkdir(base, { recursive: true })
  const dir = await mkdtemp(join(base, 'ab-'))
  o.cleanup.add(`ab working folder ${dir}`, () => rm(dir, { recursive: true, force: true }))
  const scratchDir = join(dir, 'scratch')
  await mkdir(scratchDir, { recursive: true })
  let network: PeerNetwork | undefined
  let networkUnavailable: string | undefined
  if (o.needsPeer && tier !== 'native') {
    try {
      network = await createPeerNetwork(o.cleanup, { maxSeconds: o.maxSeconds, log: o.log })
    } catch (e) {
      networkUnavailable = e instanceof Error ? e.message : String(e)
    }
  }
  return {
    driver,
    findings,
    host: await context(findings),
    workDir: dir,
    scratchDir,
    ...(network ? { network } : {}),
    ...(networkUnavailable ? { networkUnavailable } : {}),
  }
}

/** Open one side; a session that appears after the limit is closed at once. */
export const openSide = async (env: AbEnvironment, ctx: Omit<TierOpenContext, 'findings' | 'workDir' | 'scratchDir' | 'network'>, side: 'A' | 'B'): Promise<TierSession> => {
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
    throw new VirtcheckError('VIRTCHECK_TIER_FAILED', `ab: ${env.driver.id} (${side}) failed to start: ${e instanceof Error ? e.message : String(e)}`, {
      exitCode: 1,
      ...(typeof tail === 'string' && tail.trim() ? { hint: `log tail:\n${tail.trim().split('\n').slice(-15).join('\n')}` } : {}),
    })
  } finally {
    clearTimeout(timer)
  }
}
