/**
 * One whole `virtcheck bench`: probe (or findings from a file), readiness, plan, network peer, run,
 * partial JSON after each tier, final JSON. Used by the bench command and the default command
 * (probe + quick bench + reports). Terminal output is the caller's business.
 */
import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { SCHEMA_ID, SCHEMA_VERSION, type RunReport, type RunWarning } from '../core/report.js'
import { runsOnHostCpus, type TierId } from '../core/tier.js'
import type { CliContext } from '../cli/context.js'
import { packageVersion, workDir } from '../host/paths.js'
import { checkHome } from '../host/home-check.js'
import { writeJsonAtomic } from '../io/outputs.js'
import { loadTierDrivers } from '../tiers/index.js'
import { allowedCpus } from '../host/cpu-affinity.js'
import { catalogForPlan } from './catalog-adapter.js'
import { hostLlcKb } from './host-llc.js'
import { alongsideSeats, planInterleave } from './interleave-groups.js'
import { pinningLabel, walkCpus } from './cpu-walk.js'
import { openRunResources, probeForRun } from './open-run.js'
import { planBench, withAlongsideSeats, type BenchSelection } from './plan.js'
import { createProgress } from './progress.js'
import { validateTierOptions } from './validate-options.js'
import { runBench, type ReportBase } from './runner.js'
import { scaledTimeoutMs, slownessFactor, SLOWNESS_ENV } from '../host/slowness.js'
import { parseMeminfo } from '../parse/kv.js'

/** MemAvailable in MiB; undefined where /proc/meminfo cannot be read. */
const memAvailableMib = async (): Promise<number | undefined> => {
  const kb = parseMeminfo(await readFile('/proc/meminfo', 'utf8').catch(() => '')).get('MemAvailable')
  return kb === undefined ? undefined : Math.floor(kb / 1024)
}

export interface BenchOptions extends BenchSelection {
  readonly tierOptions?: Partial<Record<TierId, Readonly<Record<string, string>>>>
  readonly kernelPath?: string
  readonly label?: string
  /** The command that runs the bench, for its usage errors (`bench` unless given). */
  readonly command?: string
  /** A saved RunReport whose findings replace a fresh probe. */
  readonly fromProbe?: string
  /** Where the final JSON goes besides the run folder: a path, or `-` for stdout (the caller prints it). */
  readonly json?: string
  /** Hard start timeout per tier. @default 60000 */
  readonly startTimeoutMs?: number
  /** Leave native and container repetitions to the scheduler instead of walking the CPUs (--no-pin). */
  readonly noPin?: boolean
}

export interface BenchOutcome {
  readonly report: RunReport
  /** The result file in the run folder (always written). */
  readonly resultPath: string
  readonly interrupted: boolean
  readonly anyFailed: boolean
  /** Set when the result could not be saved (a full disk...): the report is still complete in memory. */
  readonly saveError?: string
}

/** A run that measured nothing (no requested tier was ready) must not pass a CI step. */
export const NOTHING_MEASURED = 'nothing was measured: none of the requested tiers was ready'

const stamp = (d: Date): string => d.toISOString().replace(/[:.]/g, '-').replace(/Z$/, 'Z')

export const benchRun = async (o: BenchOptions, ctx: CliContext): Promise<BenchOutcome> => {
  const started = new Date()
  validateTierOptions(o.tierOptions ?? {}, o.command ?? 'bench')
  const drivers = await loadTierDrivers()
  const { findings, readiness, hostContext } = await probeForRun({ env: ctx.env, cwd: ctx.cwd, fromProbe: o.fromProbe })
  const llcKb = o.mode === 'full' ? await hostLlcKb() : undefined
  const planned = planBench({
    readiness,
    catalog: catalogForPlan(),
    mode: o.mode,
    ...(llcKb !== undefined ? { hostLlcKb: llcKb } : {}),
    ...(o.tiers ? { tiers: o.tiers } : {}),
    ...(o.jobs ? { jobs: o.jobs } : {}),
    ...(o.reps !== undefined ? { reps: o.reps } : {}),
    ...(o.ciTarget !== undefined ? { ciTarget: o.ciTarget } : {}),
    ...(o.timeBudgetS !== undefined ? { timeBudgetS: o.timeBudgetS } : {}),
    hasDriver: (id) => drivers(id) !== undefined,
  })

  const home = workDir(ctx)
  checkHome(home)
  const runDir = join(home, 'runs', stamp(started))
  const resultPath = join(runDir, 'result.json')
  const extraJson = o.json && o.json !== '-' ? resolve(ctx.cwd, o.json) : undefined
  const running = planned.tiers.filter((t) => t.action === 'run').map((t) => t.tier)
  const interleave = planInterleave(running, o.tierOptions ?? {}, await memAvailableMib())
  const plan = withAlongsideSeats(planned, alongsideSeats(running, interleave.groupOf), o.timeBudgetS !== undefined)
  const {
    workDir: work,
    scratchDir: scratch,
    network,
    networkUnavailable,
  } = await openRunResources(ctx.cleanup, {
    home,
    // The owner pid in the name lets `virtcheck cleanup` tell a crashed run's leftovers from a live run's.
    work: join(runDir, `work-${process.pid}`),
    label: 'run work dir',
    scratch: 'shared',
    tiers: running,
    needsPeer: plan.jobs.some((j) => j.needsPeer),
    maxSeconds: plan.policy.runBudgetMs / 1000 + 120,
    tolerate: 'unavailable',
  })

  const warnings: RunWarning[] = []
  if (networkUnavailable !== undefined)
    warnings.push({
      code: 'network-fallback',
      message: `no network peer for containers and guests: ${networkUnavailable}; their net jobs are marked failed, native uses loopback`,
      hint: 'Run as root to let virtcheck create its own network namespace (nothing is configured in the host namespace).',
    })

  warnings.push(...interleave.warnings)

  const slowness = slownessFactor()
  if (slowness > 1)
    warnings.push({
      code: 'slow-host',
      message: `${SLOWNESS_ENV}=${slowness}: this host says it runs about ${slowness}x slower than the hardware it models (an emulated lab host); timeouts are scaled by it and every timing here is emulation speed, not a performance figure`,
      hint: 'Read these results for behaviour (what boots, what fails, what is recorded), never as performance; measure on real hardware.',
    })

  // The CPUs this process may use (taskset, cpuset): the walk stays inside them, over at most MAX_WALK.
  const pinCpus = o.noPin ? [] : walkCpus(await allowedCpus())
  const base: ReportBase = {
    schema: SCHEMA_ID,
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'virtcheck' as const, version: packageVersion() },
    startedAt: started.toISOString(),
    ...(o.label !== undefined ? { label: o.label } : {}),
    host: await hostContext(),
    findings,
    readiness,
    warnings,
    reproduce: {
      argv: ctx.argv,
      mode: o.reps !== undefined || o.ciTarget !== undefined ? ('custom' as const) : o.mode,
      settings: {
        mode: o.mode,
        tiers: running.join(','),
        jobs: plan.jobs.map((j) => j.job).join(','),
        minReps: plan.policy.minReps,
        maxReps: plan.policy.maxReps,
        ciTarget: plan.policy.ciTarget,
        jobBudgetMs: plan.policy.jobBudgetMs,
        runBudgetMs: plan.policy.runBudgetMs,
        cpuPinning: pinCpus.length > 1 ? pinningLabel(pinCpus) : o.noPin ? 'off (--no-pin)' : 'off (one CPU allowed)',
        ...(slowness > 1 ? { slowness } : {}),
        network: network ? `netns ${network.netns}` : `unavailable: ${networkUnavailable ?? 'no net jobs for containers or guests'}`,
        ...Object.fromEntries(
          Object.entries(o.tierOptions ?? {}).flatMap(([t, opts]) => Object.entries(opts ?? {}).map(([k, v]) => [`tierOpt.${t}.${k}`, v])),
        ),
        ...(o.kernelPath ? { kernel: o.kernelPath } : {}),
      },
      versions: { virtcheck: packageVersion(), node: process.version },
    },
  }
  // A failed save (a full disk) must not end the run: the measurements are kept, the matrix printed,
  // and the error named at the end; each target is tried every time.
  let saveError: string | undefined
  const save = async (r: RunReport) => {
    for (const target of [resultPath, ...(extraJson ? [extraJson] : [])]) {
      try {
        // the run folder is virtcheck's own (created here); --json FILE was checked before the run
        await writeJsonAtomic(target, r, { createDir: target === resultPath })
      } catch (e) {
        const first = saveError === undefined
        saveError = e instanceof Error ? e.message : String(e)
        if (first) progress.note(`cannot save the result: ${saveError}; measuring goes on`)
      }
    }
  }
  const progress = createProgress(ctx.err, ctx.errStyle, { runBudgetMs: plan.policy.runBudgetMs })
  progress.note(`virtcheck bench (${o.mode}): tiers ${running.join(', ') || '(none ready)'}; results in ${resultPath}`)
  try {
    const out = await runBench({
      plan,
      drivers,
      base,
      context: {
        findings,
        workDir: work,
        scratchDir: scratch,
        cleanup: ctx.cleanup,
        signal: ctx.signal,
        startTimeoutMs: scaledTimeoutMs(o.startTimeoutMs ?? 60_000),
        log: (line) => progress.note(line),
        ...(o.kernelPath ? { kernelPath: o.kernelPath } : {}),
      },
      ...(o.tierOptions ? { options: o.tierOptions } : {}),
      ...(network ? { network } : {}),
      ...(networkUnavailable ? { networkUnavailable } : {}),
      onPartial: save,
      progress,
      interleave: interleave.groupOf,
      onHostCpus: runsOnHostCpus,
      nativeAlongside: true,
      ...(pinCpus.length > 1 ? { pinCpus } : {}),
      hostLoad: async () => {
        const first = (await readFile('/proc/loadavg', 'utf8')).split(' ')[0]
        return { load1: Number(first), cpus: availableParallelism() }
      },
    })
    saveError = undefined
    await save(out.report)
    return { report: out.report, resultPath, interrupted: out.interrupted, anyFailed: out.anyFailed, ...(saveError ? { saveError } : {}) }
  } finally {
    await network?.close()
  }
}
