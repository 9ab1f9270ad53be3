/**
 * `virtcheck compare BASE HEAD.json`: a verdict per (tier, job, metric) from the raw samples of a
 * baseline (one saved run, several, or a history folder) and a head run. Exit 1 when the --fail-on policy finds a regression, 2 for bad input or runs that are
 * not comparable (unless --force).
 */
import { resolve } from 'node:path'
import { UsageError } from '../../core/errors.js'
import { compareRuns } from '../../compare/compare-runs.js'
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
import { DEFAULT_SETTINGS } from '../../compare/types.js'
import { readRunReport } from '../../io/read-report.js'
import type { Command } from '../context.js'
import { parseFlags } from '../parse-flags.js'

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare two saved runs: regressed / improved / unchanged / inconclusive per metric, CI exit code',
  usage: `usage: virtcheck compare BASE HEAD.json [options]
       virtcheck compare BASE1.json BASE2.json ... HEAD.json [options]

BASE is a saved run, several saved runs, or a history folder (\`virtcheck history add\`), in any mix.

For every (tier, job, metric) in both runs: a two-sided Mann–Whitney U test on the raw samples (exact
for up to 40 samples, ties included) and the change of medians with a Hodges–Lehmann interval.
A regression needs BOTH p < alpha AND |change| >= threshold in the metric's worse direction.
Metrics and tiers present on one side only are listed as added/removed; cells that worked in BASE
and fail in HEAD are "broken". Runs from another host or with another tier config are refused
unless --force.

When both runs completed native, each tier cell is judged on its ratio to native from the same run
(what moved the whole host between the runs cancels); native's own cells on their raw values.
--absolute judges every cell on raw values.

With one baseline run the test sees each run's repetitions only, and says so: two runs of one
configuration on a shared host can differ by more than that, so a raw-value change that passes the
rule is marked drift? and fails only with --fail-on drift (or any); so is a ratio-to-native change
below 15% (ratios move between separate runs too, far less). With several (at least 3
comparable per cell), the baseline is the median of their medians and a regression must also lie
outside the run-to-run noise band they span (docs/compare.md).

options:
${compareFlagsUsage(DEFAULT_SETTINGS.thresholdPct)}
${baselineFlagsUsage}

exit codes: 0 no regression under the policy, 1 regression found, 2 usage error, bad input or not comparable
example: virtcheck compare baseline.json result.json --md summary.md --junit compare.xml
         virtcheck compare history/ result.json --md summary.md`,
  run: async (args, ctx) => {
    const p = parseFlags('compare', args, { ...COMPARE_FLAGS, ...BASELINE_FLAGS }, true)
    if (p.positionals.length < 2)
      throw new UsageError(`compare: expected BASE and HEAD.json, got ${p.positionals.length} file(s)`, 'see `virtcheck compare --help`')
    const settings = compareSettingsFrom('compare', p)
    const targets = outputTargets('compare', p, ctx.cwd)
    const sources = p.positionals.slice(0, -1)
    const headPath = p.positionals.at(-1) as string
    // BASE first: when both are missing, the first one named is the one reported.
    const runs = await loadBaselineRuns(ctx.cwd, sources)
    const head = await readRunReport(resolve(ctx.cwd, headPath))
    const baseline = chooseBaseline(runs, head, sources, settings.ignoreConfigKeys)
    const report = compareRuns(
      { base: baseline.primary, earlier: baseline.earlier, head, baseSource: baseline.source, headSource: headPath },
      settings,
    )
    refuseIfNotComparable('compare', report)
    await emitComparison(report, targets, p, ctx)
    return report.failed ? 1 : 0
  },
}
