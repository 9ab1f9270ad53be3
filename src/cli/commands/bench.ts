/**
 * `virtcheck bench`: run the identical vcwork jobs in every ready tier and print the matrix.
 * Flags are validated here (one-line UsageError naming the flag); the work is src/bench/bench-run.ts.
 */
import { resolve } from 'node:path'
import { EXIT, UsageError } from '../../core/errors.js'
import { checkInputFile, INPUT_LIMITS } from '../../io/input-file.js'
import { checkOutputPath } from '../../io/outputs.js'
import { isTierId, TIER_IDS, type TierId } from '../../core/tier.js'
import { renderMatrix } from '../../../reports/terminal-matrix.js'
import { renderJson } from '../../../reports/json.js'
import { benchRun, NOTHING_MEASURED, type BenchOptions, type BenchOutcome } from '../../bench/bench-run.js'
import { JOB_ID_LIST } from '../../bench/catalog-adapter.js'
import type { Command, CliContext } from '../context.js'
import { flagBool, flagList, flagNumber, flagString, parseFlags, type Parsed } from '../parse-flags.js'

const USAGE = `usage: virtcheck bench [options]

Runs the same vcwork jobs natively, in containers, in QEMU guests and under emulation, in every tier
the probe says is ready, and prints the matrix (ratios to native with 95% confidence intervals).

options:
  --tiers a,b          tiers to run (default: every ready tier); ${TIER_IDS.join(', ')}
  --jobs x,y           jobs to run (default: all 13)
  --quick | --full     quick (default: short repetitions, ±5% CI target) or full (±2%, longer)
  --reps N             fixed repetition count (turns adaptive repetition off)
  --time-budget S      whole-run budget in seconds (quick 240, full 1800, more when native runs beside
                       guests: docs/bench.md); no repetition starts after it
  --ci-target PCT      stop repeating when the 95% CI of every metric's median is within ±PCT%
  --tier-opt T.K=V     tier option, repeatable: container.cpu-quota=50, container.memory-mib=256,
                       container.pids-max=N, container.userns=true, qemu tiers: see docs/tiers.md
  --kernel PATH        guest kernel for the QEMU tiers
  --no-pin             let the scheduler place native and container repetitions; by default each
                       repetition is pinned and they walk the CPUs, interleaved tiers on the same CPU
  --json FILE|-        also write the result JSON there (always written to .virtcheck/runs/<time>/result.json)
  --label TEXT         free label stored in the result (commit id, kernel version...)
  --from-probe FILE    take findings from a saved result instead of probing again

exit codes: 0 ok, 1 a tier or job failed, nothing measured or the result not saved, 2 usage, 130 interrupted
(129 on SIGHUP; partial results are kept)`

export const BENCH_FLAGS = {
  tiers: { type: 'string' },
  jobs: { type: 'string' },
  quick: { type: 'boolean' },
  full: { type: 'boolean' },
  reps: { type: 'string' },
  'time-budget': { type: 'string' },
  'ci-target': { type: 'string' },
  'tier-opt': { type: 'string', multiple: true },
  kernel: { type: 'string' },
  'no-pin': { type: 'boolean' },
  json: { type: 'string' },
  label: { type: 'string' },
  'from-probe': { type: 'string' },
} as const

/** `TIER.KEY=VALUE` items -> options per tier. */
export const parseTierOpts = (items: readonly string[], command = 'bench'): Partial<Record<TierId, Record<string, string>>> => {
  const out: Partial<Record<TierId, Record<string, string>>> = {}
  for (const item of items) {
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)=(.*)$/.exec(item)
    if (!m) throw new UsageError(`${command}: --tier-opt must look like TIER.KEY=VALUE, got ${JSON.stringify(item)}`)
    const [, tier, key, value] = m as unknown as [string, string, string, string]
    if (!isTierId(tier))
      throw new UsageError(`${command}: --tier-opt: unknown tier ${JSON.stringify(tier)}`, `tiers: ${TIER_IDS.join(', ')}`)
    out[tier] = { ...(out[tier] ?? {}), [key]: value }
  }
  return out
}

/** `command` names the command in error messages (bench, the main job, gate). */
export const benchOptionsFromFlags = (p: Parsed, cwd: string, command = 'bench'): BenchOptions => {
  if (flagBool(p, 'quick') && flagBool(p, 'full')) throw new UsageError(`${command}: --quick and --full exclude each other`)
  const tiers = flagList(command, p, 'tiers', TIER_IDS)
  const jobs = flagList(command, p, 'jobs', JOB_ID_LIST)
  const reps = flagNumber(command, p, 'reps', { min: 1, max: 1000, integer: true })
  const timeBudgetS = flagNumber(command, p, 'time-budget', { min: 5, max: 7 * 24 * 3600 })
  const ciPct = flagNumber(command, p, 'ci-target', { min: 0.1, max: 50 })
  const rawOpts = p.values['tier-opt']
  const tierOptions = parseTierOpts(Array.isArray(rawOpts) ? rawOpts.filter((x): x is string => typeof x === 'string') : [], command)
  const kernel = flagString(p, 'kernel')
  if (kernel !== undefined)
    checkInputFile(resolve(cwd, kernel), { name: `${command}: --kernel ${kernel}`, what: 'guest kernel', maxBytes: INPUT_LIMITS.kernel })
  const fromProbe = flagString(p, 'from-probe')
  if (fromProbe !== undefined)
    checkInputFile(resolve(cwd, fromProbe), {
      name: `${command}: --from-probe ${fromProbe}`,
      what: 'run report',
      maxBytes: INPUT_LIMITS.runReport,
    })
  const json = flagString(p, 'json')
  if (json === '') throw new UsageError(`${command}: --json needs a file name or -`)
  if (json !== undefined && json !== '-') checkOutputPath(`${command}: --json`, resolve(cwd, json))
  const label = flagString(p, 'label')
  return {
    mode: flagBool(p, 'full') ? 'full' : 'quick',
    ...(tiers ? { tiers } : {}),
    ...(jobs ? { jobs } : {}),
    ...(reps !== undefined ? { reps } : {}),
    ...(timeBudgetS !== undefined ? { timeBudgetS } : {}),
    ...(ciPct !== undefined ? { ciTarget: ciPct / 100 } : {}),
    ...(Object.keys(tierOptions).length ? { tierOptions } : {}),
    ...(kernel !== undefined ? { kernelPath: resolve(cwd, kernel) } : {}),
    ...(fromProbe !== undefined ? { fromProbe: resolve(cwd, fromProbe) } : {}),
    ...(json !== undefined ? { json } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(flagBool(p, 'no-pin') ? { noPin: true } : {}),
  }
}

/**
 * How a run ends its command (bench, the default command, gate), called once what was measured has
 * been printed: a result that could not be saved (a full disk) or another lost output is named and
 * exits 1, an interruption 130, a run that measured nothing 1; undefined when the command goes on.
 */
export const runEndCode = (out: BenchOutcome, ctx: CliContext, lost: readonly string[] = []): number | undefined => {
  const errors = [...(out.saveError ? [out.saveError] : []), ...lost]
  for (const e of errors) ctx.err.write(`${ctx.errStyle.chalk.red('error:')} ${e}\n`)
  if (out.interrupted) return EXIT.interrupted
  if (errors.length > 0) return EXIT.failed
  if (out.report.results.length === 0) {
    ctx.err.write(`${ctx.errStyle.chalk.red('error:')} ${NOTHING_MEASURED}\n`)
    return EXIT.failed
  }
  return undefined
}

export const runBenchCommand = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const opts = benchOptionsFromFlags(parseFlags('bench', args, BENCH_FLAGS), ctx.cwd)
  const out = await benchRun(opts, ctx)
  const jsonToStdout = opts.json === '-'
  // With --json - stdout carries only the JSON, so `| jq` works; the matrix goes to stderr.
  const matrix = renderMatrix(out.report, jsonToStdout ? ctx.errStyle : ctx.style)
  if (jsonToStdout) {
    ctx.err.write(matrix + '\n')
    ctx.out.write(renderJson(out.report))
  } else {
    ctx.out.write(matrix + '\n')
  }
  if (!out.saveError)
    ctx.err.write(`results: ${out.resultPath}${opts.json && opts.json !== '-' ? ` and ${resolve(ctx.cwd, opts.json)}` : ''}\n`)
  const end = runEndCode(out, ctx)
  if (end !== undefined) return end
  return out.anyFailed ? EXIT.failed : EXIT.ok
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the same jobs natively, in containers, VMs and emulation; print the cost matrix',
  usage: USAGE,
  run: runBenchCommand,
}
