/**
 * `virtcheck gate BASELINE... [options]`: the CI step in one command. Runs the bench, compares it
 * with the baseline (a saved run, several, or a history folder), and measures every regressed cell
 * a second time after a pause: only regressions that reproduce fail the gate.
 */
import { checkOutputPath } from '../../io/outputs.js'
import { setTimeout as sleep } from 'node:timers/promises'
import { resolve } from 'node:path'
import { EXIT, InputFileError, UsageError } from '../../core/errors.js'
import { benchRun } from '../../bench/bench-run.js'
import { compareRuns, isRefused } from '../../compare/compare-runs.js'
import { applyConfirmation, confirmationScope, interruptedInConfirmation } from '../../compare/confirm.js'
import {
  BASELINE_FLAGS,
  baselineFlagsUsage,
  COMPARE_FLAGS,
  compareFlagsUsage,
  compareSettingsFrom,
  emitComparison,
  outputTargets,
  refuseIfNotComparable,
} from '../../compare/cli-options.js'
import { chooseBaseline, loadBaselineRuns } from '../../compare/load-baseline.js'
import { nativeProblem } from '../../compare/relative.js'
import { DEFAULT_SETTINGS } from '../../compare/types.js'
import { renderMatrix } from '../../../reports/terminal-matrix.js'
import type { Command } from '../context.js'
import { flagBool, flagNumber, flagString, parseFlags } from '../parse-flags.js'
import { BENCH_FLAGS, benchOptionsFromFlags, runEndCode } from './bench.js'

export const DEFAULT_CONFIRM_DELAY_S = 30
/** Two rounds: on the development host memory bandwidth sags for 20-60 s at a time, and one round 30 s later still fell inside such a sag (docs/compare.md). */
export const DEFAULT_CONFIRM_RUNS = 2

// bench's --json is the run result; here --json is the comparison (as in compare), so the run goes to --result.
const { json: _benchJson, ...RUN_FLAGS } = BENCH_FLAGS
const FLAGS = {
  ...RUN_FLAGS,
  ...COMPARE_FLAGS,
  ...BASELINE_FLAGS,
  result: { type: 'string' },
  'confirm-delay': { type: 'string' },
  'confirm-runs': { type: 'string' },
  'no-confirm': { type: 'boolean' },
} as const

const USAGE = `usage: virtcheck gate BASELINE... [options]

Runs \`virtcheck bench\` with the given options, compares the result with BASELINE exactly as
\`virtcheck compare BASELINE RESULT\` does (BASELINE: a saved run, several, or a history folder), then
measures every regressed tier/job again, --confirm-runs times, each after --confirm-delay seconds. A
regression stands only when every re-measurement regresses too; one that does not reproduce is
reported as inconclusive, with every set of numbers. Exit 1 on a confirmed regression (or a cell that
worked in the baseline and fails now).

options:
  bench options        --tiers, --jobs, --quick | --full, --reps, --time-budget, --ci-target, --tier-opt,
                       --kernel, --no-pin, --label, --from-probe (see \`virtcheck bench --help\`)
  --result F           also write the run's result JSON there (always kept in .virtcheck/runs/<time>/)
  --confirm-delay S    pause before each confirmation run (default ${DEFAULT_CONFIRM_DELAY_S}): long enough for a passing
                       disturbance (another tenant's burst) to end
  --confirm-runs N     confirmation runs, 1-5 (default ${DEFAULT_CONFIRM_RUNS}); a cell that stops regressing is not measured
                       again. They cost time only when something regressed.
  --no-confirm         report the first comparison as it is
  A confirmation needs each later run to regress in the same direction with p < alpha and at least half
  the threshold. Cells that fail now (broken) and, under --fail-on any, other changes are not re-measured.
${compareFlagsUsage(DEFAULT_SETTINGS.thresholdPct)}
${baselineFlagsUsage}

exit codes: 0 no confirmed regression, 1 confirmed regression or broken cell, nothing measured or the result
not saved, 2 usage, bad input or not comparable, 130 interrupted (the run's partial result is kept)
example: virtcheck gate history/ --tiers native,container --result result.json --md summary.md
         virtcheck gate history/ --tiers native,container,podman --relative-to native --md summary.md`

export const gateCommand: Command = {
  name: 'gate',
  summary: 'CI step: bench, compare with a baseline, re-measure regressions; fail only on those that reproduce',
  usage: USAGE,
  run: async (args, ctx) => {
    const p = parseFlags('gate', args, FLAGS, true)
    if (p.positionals.length < 1)
      throw new UsageError('gate: expected the baseline: a saved run, several, or a history folder', 'see `virtcheck gate --help`')
    const settings = compareSettingsFrom('gate', p)
    const targets = outputTargets('gate', p, ctx.cwd)
    const delayS = flagNumber('gate', p, 'confirm-delay', { min: 0, max: 3600 }) ?? DEFAULT_CONFIRM_DELAY_S
    const rounds = flagNumber('gate', p, 'confirm-runs', { min: 1, max: 5, integer: true }) ?? DEFAULT_CONFIRM_RUNS
    const result = flagString(p, 'result')
    if (result === '' || result === '-') throw new UsageError('gate: --result needs a file name (stdout is for --json/--md/--junit -)')
    if (result !== undefined) checkOutputPath('gate: --result', resolve(ctx.cwd, result))
    const { json: _ignored, ...bench } = benchOptionsFromFlags(p, ctx.cwd, 'gate')
    const relative = settings.relativeTo === 'native'
    if (relative && bench.tiers && !bench.tiers.includes('native'))
      throw new UsageError('gate: --relative-to native needs the native tier in the run', `add it: --tiers native,${bench.tiers.join(',')}`)
    const sources = p.positionals
    // Bad baseline input fails before minutes of benchmarking, not after.
    const runs = await loadBaselineRuns(ctx.cwd, sources)
    if (relative && runs.every((r) => nativeProblem(r.report) !== undefined))
      throw new InputFileError(`gate: --relative-to native: no baseline run measured native`, 'build the baseline with --tiers native,...')

    const first = await benchRun({ ...bench, command: 'gate', ...(result ? { json: result } : {}) }, ctx)
    // With an output on stdout (`--json -`), stdout carries only that; the matrix goes to stderr.
    const toStdout = targets.some((t) => t.path === '-')
    ;(toStdout ? ctx.err : ctx.out).write(renderMatrix(first.report, toStdout ? ctx.errStyle : ctx.style) + '\n\n')
    if (!first.saveError) ctx.err.write(`results: ${first.resultPath}${result ? ` and ${resolve(ctx.cwd, result)}` : ''}\n`)
    // A result not saved (the confirmation runs read it back) or nothing measured ends the gate here.
    const end = runEndCode(first, ctx)
    if (end !== undefined) return end
    const baseline = chooseBaseline(runs, first.report, sources, settings.ignoreConfigKeys)
    const compareWith = (head: typeof first, headSource: string) =>
      compareRuns(
        { base: baseline.primary, earlier: baseline.earlier, head: head.report, baseSource: baseline.source, headSource },
        settings,
      )
    let report = compareWith(first, result ?? first.resultPath)
    if (isRefused(report)) {
      // The run took minutes: its comparison (what differs, what was refused) still goes to the
      // requested files for the CI summary before the one-line refusal.
      await emitComparison(report, targets, p, ctx)
      refuseIfNotComparable('gate', report)
    }

    const confirm = !flagBool(p, 'no-confirm')
    for (let round = 1; confirm && round <= rounds; round++) {
      const scope = confirmationScope(report, report.judgedOn.basis === 'native')
      if (!scope) break
      ctx.err.write(
        `gate: ${report.summary.regressed} regression(s)${report.summary.driftWorse && (settings.failOn === 'drift' || settings.failOn === 'any') ? ` and ${report.summary.driftWorse} worse drift? cell(s) (--fail-on ${settings.failOn})` : ''}; measuring ${scope.tiers.join(', ')} / ${scope.jobs.join(', ')} again in ${delayS} s to confirm (round ${round} of ${rounds})\n`,
      )
      await sleep(delayS * 1000, undefined, { signal: ctx.signal }).catch(() => undefined)
      const again = ctx.signal.aborted
        ? undefined
        : await benchRun(
            {
              ...bench,
              command: 'gate',
              tiers: scope.tiers,
              jobs: scope.jobs,
              fromProbe: first.resultPath,
              label: `${bench.label ?? 'gate'} (confirmation ${round})`,
            },
            ctx,
          )
      if (!again || again.interrupted) {
        // Nothing is lost: what is known so far is written, marked unconfirmed.
        await emitComparison(interruptedInConfirmation(report, round), targets, p, ctx)
        return EXIT.interrupted
      }
      report = applyConfirmation(report, compareWith(again, again.resultPath), delayS, round)
    }
    await emitComparison(report, targets, p, ctx)
    return report.failed ? EXIT.failed : EXIT.ok
  },
}
