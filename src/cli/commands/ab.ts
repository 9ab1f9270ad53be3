/**
 * `virtcheck ab --tier T --a OPTS --b OPTS`: two sessions of one tier with different options, the
 * selected jobs run alternately repetition by repetition (AB, BA, AB ...), then compared exactly like
 * `virtcheck compare` does (A is the base, B the head).
 */
import { safeText } from '../../../reports/format/safe-text.js'
import { resolve } from 'node:path'
import { UsageError } from '../../core/errors.js'
import { SCHEMA_ID, SCHEMA_VERSION } from '../../core/report.js'
import { isTierId, runsOnHostCpus, TIER_IDS, type TierSession } from '../../core/tier.js'
import { packageVersion, workDir } from '../../host/paths.js'
import { checkOutputPath, writeJsonAtomic } from '../../io/outputs.js'
import { checkHome } from '../../host/home-check.js'
import { allowedCpus } from '../../host/cpu-affinity.js'
import { walkCpus } from '../../bench/cpu-walk.js'
import { JOBS, jobById, requestParams } from '../../../workloads/index.js'
import { COMPARE_FLAGS, compareFlagsUsage, compareSettingsFrom, emitComparison, outputTargets } from '../../compare/cli-options.js'
import { AB_THRESHOLD_PCT, DEFAULT_SETTINGS } from '../../compare/types.js'
import { runInterleaved, type AbJob } from '../../compare/ab/interleave.js'
import { abRunReports, compareAb } from '../../compare/ab/ab-report.js'
import { openSide, prepareAb } from '../../compare/ab/session-setup.js'
import { validateTierOptions } from '../../bench/validate-options.js'
import type { Command } from '../context.js'
import { flagBool, flagNumber, flagString, parseFlags } from '../parse-flags.js'

const DEFAULT_JOBS = ['cpu.int', 'cpu.fp', 'mem.stream', 'sys.syscall', 'io.fsync']

/** `cpu-quota=50,memory=512M` -> { 'cpu-quota': '50', memory: '512M' }; '' -> {} (the tier's defaults). */
export const parseSideOptions = (flag: string, raw: string | undefined): Record<string, string> => {
  if (raw === undefined) throw new UsageError(`ab: --${flag} is required (KEY=VALUE[,KEY=VALUE], or '' for the tier's defaults)`)
  const out: Record<string, string> = {}
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=')
    if (eq <= 0) throw new UsageError(`ab: --${flag} expects KEY=VALUE pairs separated by commas, got ${JSON.stringify(part)}`)
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim()
  }
  return out
}

export const abCommand: Command = {
  name: 'ab',
  summary: 'interleaved A/B of two option sets of one tier (ABBA order, drift cancels), compared like `compare`',
  usage: `usage: virtcheck ab --tier T --a KEY=VAL[,KEY=VAL] --b KEY=VAL[,KEY=VAL] [options]

Opens two sessions of tier T (A and B) with different tier options (the keys \`--tier-opt T.KEY=VALUE\`
takes in bench, e.g. container cpu-quota=50, qemu smp=2 or qemu-binary=PATH; kernel=PATH picks the guest
kernel of a QEMU tier, for two kernels; '' = defaults), then runs
each job one repetition at a time alternating A,B / B,A so machine drift falls on both sides, and
compares B (head) against A (base) with the same statistics as \`virtcheck compare\`.

options:
  --tier T            ${TIER_IDS.join(', ')}
  --a OPTS, --b OPTS  the two option sets
  --jobs LIST         comma-separated jobs (default ${DEFAULT_JOBS.join(',')})
  --reps N            measured repetitions per side and job (default 10; >= 5 needed at alpha 0.01)
  --warmup N          discarded repetitions per side and job before measuring (default 1)
  --no-pin            native and container tiers: let the scheduler place each side (by default both
                      repetitions of a pair run on the same CPU, and the pairs walk through the CPUs)
  --quick / --full    job parameters of the quick (default) or full mode
  --start-timeout S   hard limit to start each session (default 120)
  --save-runs PREFIX  also write the two runs as PREFIX-a.json and PREFIX-b.json (for compare/history)
${compareFlagsUsage(AB_THRESHOLD_PCT)}

exit codes: 0 no regression of B against A under the policy, 1 regression, 2 usage error, 130 interrupted
example: virtcheck ab --tier container --a cpu-quota=100 --b cpu-quota=50 --jobs cpu.int,sys.syscall --json ab.json`,
  run: async (args, ctx) => {
    const p = parseFlags(
      'ab',
      args,
      {
        ...COMPARE_FLAGS,
        tier: { type: 'string' },
        a: { type: 'string' },
        b: { type: 'string' },
        jobs: { type: 'string' },
        reps: { type: 'string' },
        warmup: { type: 'string' },
        'no-pin': { type: 'boolean' },
        quick: { type: 'boolean' },
        full: { type: 'boolean' },
        'start-timeout': { type: 'string' },
        'save-runs': { type: 'string' },
      },
      false,
    )
    const tier = flagString(p, 'tier')
    if (tier === undefined) throw new UsageError('ab: --tier is required', `tiers: ${TIER_IDS.join(', ')}`)
    if (!isTierId(tier)) throw new UsageError(`ab: unknown tier ${JSON.stringify(tier)}`, `tiers: ${TIER_IDS.join(', ')}`)
    const optsA = parseSideOptions('a', flagString(p, 'a'))
    const optsB = parseSideOptions('b', flagString(p, 'b'))
    // `kernel=PATH` is not a driver option but the guest kernel (TierOpenContext.kernelPath): two kernels A/B.
    const openOptions = (o: Record<string, string>) => {
      const { kernel, ...driverOptions } = o
      return { options: driverOptions, ...(kernel === undefined ? {} : { kernelPath: resolve(ctx.cwd, kernel) }) }
    }
    validateTierOptions({ [tier]: openOptions(optsA).options }, 'ab')
    validateTierOptions({ [tier]: openOptions(optsB).options }, 'ab')
    if (flagBool(p, 'quick') && flagBool(p, 'full')) throw new UsageError('ab: --quick and --full exclude each other')
    const mode = flagBool(p, 'full') ? 'full' : 'quick'
    const jobIds = (flagString(p, 'jobs') ?? DEFAULT_JOBS.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    const specs = jobIds.map((id) => {
      const spec = jobById(id)
      if (!spec) throw new UsageError(`ab: unknown job ${JSON.stringify(id)}`, `jobs: ${JOBS.map((j) => j.id).join(', ')}`)
      return spec
    })
    if (specs.length === 0) throw new UsageError('ab: --jobs needs at least one job')
    const reps = flagNumber('ab', p, 'reps', { min: 1, max: 1000, integer: true }) ?? 10
    const warmup = flagNumber('ab', p, 'warmup', { min: 0, max: 100, integer: true }) ?? 1
    const startTimeoutMs = (flagNumber('ab', p, 'start-timeout', { min: 1, max: 3600 }) ?? 120) * 1000
    const settings = compareSettingsFrom('ab', p, { ...DEFAULT_SETTINGS, thresholdPct: AB_THRESHOLD_PCT })
    const targets = outputTargets('ab', p, ctx.cwd)
    const savePrefix = flagString(p, 'save-runs')
    if (savePrefix === '') throw new UsageError('ab: --save-runs needs a file name prefix')
    if (savePrefix !== undefined)
      for (const side of ['a', 'b']) checkOutputPath('ab: --save-runs', resolve(ctx.cwd, `${savePrefix}-${side}.json`))

    checkHome(workDir(ctx)) // before minutes of probing and measuring
    const log = (line: string) => ctx.err.write(`${ctx.errStyle.chalk.dim(safeText(line))}\n`)
    const started = new Date()
    const t0 = performance.now()
    const env = await prepareAb(tier, {
      env: ctx.env,
      cwd: ctx.cwd,
      cleanup: ctx.cleanup,
      needsPeer: specs.some((s) => s.needs.includes('peer')),
      maxSeconds: 3600,
      log,
    })
    const pinCpus = runsOnHostCpus(tier) && !flagBool(p, 'no-pin') ? walkCpus(await allowedCpus()) : []
    const jobs: AbJob[] = specs.map((s) => ({ job: s.id, params: requestParams(s, mode).params as Record<string, string | number> }))
    const openCtx = { cleanup: ctx.cleanup, signal: ctx.signal, startTimeoutMs, log }
    const optionsText = (o: Readonly<Record<string, string>>) =>
      Object.entries(o)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || 'defaults'
    log(`opening ${tier} A (${optionsText(optsA)})…`)
    const sessions: TierSession[] = []
    try {
      const a = await openSide(env, { ...openCtx, ...openOptions(optsA) }, 'A')
      sessions.push(a)
      log(`opening ${tier} B (${optionsText(optsB)})…`)
      const b = await openSide(env, { ...openCtx, ...openOptions(optsB) }, 'B')
      sessions.push(b)
      const loop = await runInterleaved({
        a,
        b,
        jobs,
        reps,
        warmup,
        signal: ctx.signal,
        progress: (l) => log(`  ${l}`),
        ...(pinCpus.length > 1 ? { pinCpus } : {}),
      })
      const base = {
        schema: SCHEMA_ID,
        schemaVersion: SCHEMA_VERSION,
        tool: { name: 'virtcheck', version: packageVersion() },
        startedAt: started.toISOString(),
        host: env.host,
        findings: env.findings,
        readiness: [],
        warnings: env.networkUnavailable ? [{ code: 'no-peer', message: `net jobs cannot run: ${env.networkUnavailable}`, tier }] : [],
        reproduce: {
          argv: [...ctx.argv],
          mode: 'custom',
          settings: { tier, reps, warmup, paramsMode: mode, pinCpus: pinCpus.length > 1 ? pinCpus.join(',') : 'none' },
          versions: {},
        },
      } as const
      const runs = abRunReports(
        tier,
        loop,
        {
          A: { config: a.config, options: optsA, ...(a.bootMs === undefined ? {} : { bootMs: a.bootMs }) },
          B: { config: b.config, options: optsB, ...(b.bootMs === undefined ? {} : { bootMs: b.bootMs }) },
        },
        base,
        new Date().toISOString(),
        performance.now() - t0,
      )
      if (savePrefix !== undefined) {
        for (const [side, run] of [
          ['a', runs.a],
          ['b', runs.b],
        ] as const) {
          const path = resolve(ctx.cwd, `${savePrefix}-${side}.json`)
          await writeJsonAtomic(path, run)
          log(`run ${side.toUpperCase()} written to ${path}`)
        }
      }
      const report = compareAb(runs.a, runs.b, settings)
      await emitComparison(report, targets, p, ctx)
      if (loop.interrupted) return 130
      return report.failed ? 1 : 0
    } finally {
      await Promise.all(sessions.map((s) => s.close().catch(() => undefined)))
    }
  },
}
