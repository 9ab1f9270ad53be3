/**
 * The setup `virtcheck bench` and `virtcheck ab` share before any tier opens: the findings readiness
 * is decided from, the report's host section, a working folder that cleanup removes, a scratch folder,
 * and the network peer. The two commands differ only where their options below say so.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Finding } from '../core/finding.js'
import type { HostContext } from '../core/report.js'
import { tierInfo, type TierId, type TierReadiness } from '../core/tier.js'
import type { Cleanup } from '../core/cleanup.js'
import { startHostContext } from '../host/context.js'
import { workDir } from '../host/paths.js'
import { RealHost } from '../host/real-host.js'
import { readRunReport } from '../io/read-report.js'
import { createPeerNetwork, PeerUnavailableError, type ManagedPeerNetwork } from '../net/peer.js'
import { decideReadiness } from '../probe-run/readiness.js'
import { runProbes } from '../probe-run/run-probes.js'
import { probeEnvFor } from '../probe-run/load-host.js'
import { vcworkFinding } from '../probe-run/self-check.js'
import { PROBES } from '../../probes/index.js'

export interface RunProbe {
  readonly findings: readonly Finding[]
  readonly readiness: readonly TierReadiness[]
  /** The report's host section; gathering starts with the probes and is awaited only when the report is built. */
  readonly hostContext: () => Promise<HostContext>
}

export const probeForRun = async (o: {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  /** A saved RunReport whose findings replace a fresh probe (bench --from-probe). */
  readonly fromProbe?: string | undefined
}): Promise<RunProbe> => {
  const host = new RealHost()
  const context = startHostContext(host)
  // Same probe set as `virtcheck probe` (its catalog plus the vcwork self-check), so readiness agrees with it.
  const findings: readonly Finding[] = o.fromProbe
    ? (await readRunReport(o.fromProbe)).findings
    : [...(await runProbes(host, PROBES, probeEnvFor(o.env, o.cwd))), vcworkFinding(host.identity.arch)]
  return { findings, readiness: decideReadiness(findings, host.identity.arch), hostContext: () => context(findings) }
}

export interface RunResourceOptions {
  /** A fixed folder (bench: one per run, named for its owner pid), or a fresh `<tempPrefix>XXXXXX` under workDir() (ab). */
  readonly work: string | { readonly tempPrefix: string }
  /** Cleanup label; the folder's path is appended. */
  readonly label: string
  /** 'shared': workDir()/scratch, kept for later runs (bench); 'inside': <work>/scratch, removed with the work folder (ab). */
  readonly scratch: 'shared' | 'inside'
  /** The tiers that will run and whether any job needs the peer; only tiers outside the host namespace use it. */
  readonly tiers: readonly TierId[]
  readonly needsPeer: boolean
  /** Upper bound for the peer's `vcwork serve`. */
  readonly maxSeconds: number
  /**
   * Which peer failures become a reason (net jobs failed) rather than an error: 'unavailable' only
   * PeerUnavailableError (bench: a broken setup is worth stopping for), 'any' every one (ab: the A/B
   * comparison of the other jobs is still worth having).
   */
  readonly tolerate: 'unavailable' | 'any'
  /** The command's working folder (`workDir(ctx)`); the process's own when absent. */
  readonly home?: string
  readonly log?: ((line: string) => void) | undefined
}

export interface RunResources {
  readonly workDir: string
  readonly scratchDir: string
  readonly network?: ManagedPeerNetwork
  /** Why net jobs cannot run outside the host namespace (no peer), when the peer was wanted. */
  readonly networkUnavailable?: string
}

export const openRunResources = async (cleanup: Cleanup, o: RunResourceOptions): Promise<RunResources> => {
  const home = o.home ?? workDir()
  let work: string
  if (typeof o.work === 'string') {
    work = o.work
    await mkdir(work, { recursive: true })
  } else {
    await mkdir(home, { recursive: true })
    work = await mkdtemp(join(home, o.work.tempPrefix))
  }
  cleanup.add(`${o.label} ${work}`, () => rm(work, { recursive: true, force: true }))
  const scratchDir = o.scratch === 'shared' ? join(home, 'scratch') : join(work, 'scratch')
  await mkdir(scratchDir, { recursive: true })
  if (!o.needsPeer || !o.tiers.some((t) => tierInfo(t).netPeer === 'run-network')) return { workDir: work, scratchDir }
  try {
    const network = await createPeerNetwork(cleanup, { maxSeconds: o.maxSeconds, ...(o.log ? { log: o.log } : {}) })
    return { workDir: work, scratchDir, network }
  } catch (e) {
    if (o.tolerate === 'unavailable' && !(e instanceof PeerUnavailableError)) throw e
    return { workDir: work, scratchDir, networkUnavailable: e instanceof Error ? e.message : String(e) }
  }
}
