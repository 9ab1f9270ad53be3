/**
 * `virtcheck probe`: what can this host virtualize and what stops it. Findings with evidence and
 * remediation, tier readiness, optionally proved by acting (--deep); terminal or JSON (a RunReport with
 * mode probe-only). Exit 0 nothing worse than warn, 1 any fail or probe bug, 2 usage.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { UsageError } from '../../core/errors.js'
import { checkOutputPath, writeJsonAtomic } from '../../io/outputs.js'
import { renderJson } from '../../../reports/json.js'
import { SCHEMA_ID, SCHEMA_VERSION, type RunReport } from '../../core/report.js'
import { isTierId, TIER_IDS } from '../../core/tier.js'
import { startHostContext } from '../../host/context.js'
import { packageVersion } from '../../host/paths.js'
import { scaleFromEnv } from '../../host/slowness.js'
import { PROBES } from '../../../probes/index.js'
import { openHost, probeEnvForHost } from '../../probe-run/load-host.js'
import { markNotRunnable, openRootedHost } from '../../host/rooted-host.js'
import { decideReadiness } from '../../probe-run/readiness.js'
import { probeExitCode, runProbes } from '../../probe-run/run-probes.js'
import { vcworkFinding } from '../../probe-run/self-check.js'
import { safeText } from '../../../reports/format/safe-text.js'
import type { Command } from '../context.js'
import { flagBool, flagString, parseFlags } from '../parse-flags.js'
import { emitNfd, NFD_FLAGS, NFD_USAGE, nfdOptionsFrom } from '../../fleet/nfd-emit.js'

const USAGE = `usage: virtcheck probe [--json [FILE|-]] [--nfd FILE] [--from SNAPSHOT | --root DIR] [--deep]

What can this host virtualize, and what stops it: CPU extensions (and why they are missing), SLAT, KVM
(device, module, API, nested), IOMMU, SR-IOV, VM/container/CVM detection, cgroups, namespaces, devices,
software, confidential computing, memory, the OS feature table, and which benchmark tiers are ready.

  --json [FILE|-]   write a RunReport (schema virtcheck-run, mode probe-only) to FILE, or stdout with -
  --from FILE       probe a host snapshot made by \`virtcheck capture\` instead of this machine
  --root DIR        probe the host whose /proc, /sys, /dev, /etc are mounted under DIR (from a container,
                    see deploy/kubernetes/); what needs the host's own processes is unknown, never guessed
  --deep            prove readiness by acting: start each ready tier and run one tiny job (bounded)
  --deep-timeout S  per-tier limit for --deep (default 60 for TCG, 20 for KVM)
${NFD_USAGE}
  --deep-tiers a,b  prove only these tiers with --deep (default: every candidate)

Every command the probe runs is bounded in time; the bounds scale with how slow this host is (from
node's own start-up time), or by VIRTCHECK_SLOWNESS=N (1-1000). A command that runs out of time
makes its finding unknown, with the time waited.

exit codes: 0 nothing worse than warn, 1 any fail or probe bug, 2 usage or bad snapshot
`

/** `--json` may come without a value (then it means stdout). */
const normalizeJsonFlag = (args: readonly string[]): string[] => {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string
    out.push(a)
    if (a === '--json') {
      const next = args[i + 1]
      if (next === undefined || (next.startsWith('-') && next !== '-')) out.push('-')
    }
  }
  return out
}

export const probeCommand: Command = {
  name: 'probe',
  summary: 'what this host can virtualize, what stops it, and which tiers are ready',
  usage: USAGE,
  async run(args, ctx) {
    const p = parseFlags('probe', normalizeJsonFlag(args), {
      json: { type: 'string' },
      from: { type: 'string' },
      root: { type: 'string' },
      deep: { type: 'boolean' },
      'deep-timeout': { type: 'string' },
      ...NFD_FLAGS,
      'deep-tiers': { type: 'string' },
    })
    const nfd = nfdOptionsFrom('probe', p.values, ctx.cwd)
    const json = flagString(p, 'json')
    if (json === '') throw new UsageError('probe: --json needs a file name or -')
    if (json !== undefined && json !== '-') checkOutputPath('probe: --json', resolve(ctx.cwd, json))
    const from = flagString(p, 'from')
    const deep = flagBool(p, 'deep')
    const root = flagString(p, 'root')
    if (root !== undefined && from !== undefined) throw new UsageError('probe: --root and --from are two different hosts; give one')
    if (root !== undefined && deep)
      throw new UsageError(
        'probe: --deep starts guests on this machine and cannot be combined with --root',
        'run --deep in the privileged Job (deploy/kubernetes/deep-job.yaml) without --root',
      )
    const deepTimeout = flagString(p, 'deep-timeout')
    if (deep && from !== undefined) throw new UsageError('probe: --deep acts on this machine and cannot be combined with --from')
    if (deepTimeout !== undefined && !deep) throw new UsageError('probe: --deep-timeout needs --deep')
    const deepTiersRaw = flagString(p, 'deep-tiers')
    if (deepTiersRaw !== undefined && !deep) throw new UsageError('probe: --deep-tiers needs --deep')
    const deepTiers = deepTiersRaw?.split(',').map((t) => t.trim())
    const unknownTier = deepTiers?.find((t) => !isTierId(t))
    if (unknownTier !== undefined)
      throw new UsageError(`probe: --deep-tiers: unknown tier ${JSON.stringify(unknownTier)} (known: ${TIER_IDS.join(', ')})`)
    const deepTimeoutS = deepTimeout === undefined ? undefined : Number(deepTimeout)
    if (deepTimeoutS !== undefined && !(deepTimeoutS > 0 && deepTimeoutS <= 600))
      throw new UsageError(`probe: --deep-timeout must be a number of seconds in (0, 600], got ${JSON.stringify(deepTimeout)}`)

    const scale = scaleFromEnv(ctx.env as NodeJS.ProcessEnv)
    if (typeof scale === 'string') throw new UsageError(`probe: ${scale}`)
    const startedAt = new Date()
    const t0 = performance.now()
    // The terminal renderer loads while the probes wait for their helper processes.
    const renderer = json !== '-' ? import('../../../reports/terminal-findings.js') : undefined
    const host = root !== undefined ? await openRootedHost(root, ctx.cwd) : await openHost(from, ctx.cwd)
    const hostContext = startHostContext(host)
    const env = { ...probeEnvForHost(host, ctx.env, ctx.cwd), ...(deep ? { deep: true } : {}) }
    // Verdicts that rest on a command a --root view could not run become unknown (also when replayed).
    let findings = markNotRunnable([...(await runProbes(host, PROBES, env)), vcworkFinding(host.identity.arch)])
    if (deep && host.identity.uid === 0) {
      // prove disk quotas on loop-mounted scratch file systems (root only: it mounts)
      const [{ proveQuotas }, { applyQuotaProofs, quotaFsToProve }] = await Promise.all([
        import('../../host/quota-proof.js'),
        import('../../probe-run/deep-quota.js'),
      ])
      const onPath = (tool: string) =>
        ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'].some((d) => existsSync(`${d}/${tool}`))
      const proofs = await proveQuotas(quotaFsToProve(findings), onPath, ctx.cleanup)
      for (const p of proofs) ctx.err.write(ctx.errStyle.chalk.dim(`deep: disk quota: ${p.line}`) + '\n')
      findings = applyQuotaProofs(findings, proofs)
      // and write a real limit per controller in a scratch child cgroup
      const [{ proveCgroupLimits }, { applyCgroupProofs }] = await Promise.all([
        import('../../host/cgroup-proof.js'),
        import('../../probe-run/deep-cgroups.js'),
      ])
      const mode = String(findings.find((f) => f.id === 'cgroups.mode')?.facts?.['mode'] ?? '')
      const cg = await proveCgroupLimits(mode, mode === 'v2' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified', ctx.cleanup)
      for (const p of cg) ctx.err.write(ctx.errStyle.chalk.dim(`deep: cgroup limit: ${p.line}`) + '\n')
      findings = applyCgroupProofs(findings, cg)
    }
    let readiness = decideReadiness(findings, host.identity.arch)
    if (deep) {
      const { deepVerify } = await import('../../probe-run/deep.js')
      readiness = await deepVerify(readiness, findings, {
        cwd: ctx.cwd,
        env: ctx.env,
        cleanup: ctx.cleanup,
        signal: ctx.signal,
        log: (l) => ctx.err.write(ctx.errStyle.chalk.dim(safeText(l)) + '\n'),
        ...(deepTimeoutS !== undefined ? { timeoutMs: deepTimeoutS * 1000 } : {}),
        ...(deepTiers ? { only: deepTiers.filter(isTierId) } : {}),
      })
    }
    const durationMs = performance.now() - t0
    const hostCtx = await hostContext(findings)

    if (json !== undefined) {
      const report: RunReport = {
        schema: SCHEMA_ID,
        schemaVersion: SCHEMA_VERSION,
        tool: { name: 'virtcheck', version: packageVersion() },
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        partial: false,
        host: hostCtx,
        findings,
        readiness,
        tiers: [],
        results: [],
        warnings: [],
        reproduce: {
          argv: ctx.argv,
          mode: 'probe-only',
          settings: { deep, origin: host.origin, probeMs: Math.round(durationMs) },
          versions: { virtcheck: packageVersion(), node: process.version },
        },
      }
      if (json === '-') ctx.out.write(renderJson(report))
      else {
        await writeJsonAtomic(resolve(ctx.cwd, json), report)
        ctx.err.write(`probe report written to ${json}\n`)
      }
    }
    if (nfd) {
      const w = await emitNfd(nfd, { findings, readiness, host: hostCtx, probeVersion: packageVersion(), now: startedAt })
      ctx.err.write(`NFD feature file written to ${nfd.file} (${w.labels} labels, ${w.features} no-label features, ${w.bytes} bytes)\n`)
      for (const d of w.dropped) ctx.err.write(`NFD: left out ${d}\n`)
    }
    if (renderer) {
      const { renderFindings } = await renderer
      ctx.out.write(
        renderFindings(findings, readiness, ctx.style, {
          hostname: host.identity.hostname,
          arch: host.identity.arch,
          kernel: host.identity.kernelRelease,
          origin: host.origin,
          durationMs,
        }),
      )
    }
    return probeExitCode(findings)
  },
}
