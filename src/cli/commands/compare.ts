/**
 * `virtcheck compare BASE.json HEAD.json`: a verdict per (tier, job, metric) from the raw samples of two
 * saved runs. Exit 1 when the --fail-on policy finds a regression, 2 for bad input or runs that are
 * not comparable (unless --force).
 */
import { resolve } from 'node:path'
import { InputFileError, UsageError } from '../../core/errors.js'
import { compareRuns } from '../../compare/compare-runs.js'
import { COMPARE_FLAGS, compareFlagsUsage, compareSettingsFrom, emitComparison, outputTargets } from '../../compare/cli-options.js'
import { DEFAULT_SETTINGS } from '../../compare/types.js'
import { readRunReport } from '../../io/read-report.js'
import type { Command } from '../context.js'
import { parseFlags } from '../parse-flags.js'

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare two saved runs: regressed / improved / unchanged / inconclusive per metric, CI exit code',
  usage: `usage: virtcheck compare BASE.json HEAD.json [options]

For every (tier, job, metric) in both runs: a two-sided Mann–Whitney U test on the raw samples (exact
for up to 40 samples, ties included) and the change of medians with a Hodges–Lehmann interval.
A regression needs BOTH p < alpha AND |change| >= threshold in the metric's worse direction.
Metrics and tiers present on one side only are listed as added/removed; cells that worked in BASE
and fail in HEAD are "broken". Runs from another host or with another tier config are refused
unless --force.

options:
${compareFlagsUsage(DEFAULT_SETTINGS.thresholdPct)}

exit codes: 0 no regression under the policy, 1 regression found, 2 usage error, bad input or not comparable
example: virtcheck compare baseline.json result.json --md summary.md --junit compare.xml`,
  run: async (args, ctx) => {
    const p = parseFlags('compare', args, COMPARE_FLAGS, true)
    if (p.positionals.length !== 2)
      throw new UsageError(`compare: expected BASE.json and HEAD.json, got ${p.positionals.length} file(s)`, 'see `virtcheck compare --help`')
    const settings = compareSettingsFrom('compare', p)
    const targets = outputTargets('compare', p)
    const [basePath, headPath] = p.positionals as [string, string]
    const [base, head] = await Promise.all([readRunReport(resolve(ctx.cwd, basePath)), readRunReport(resolve(ctx.cwd, headPath))])
    const report = compareRuns({ base, head, baseSource: basePath, headSource: headPath }, settings)
    if (!report.comparability.comparable && !settings.forced) {
      const probs = report.comparability.problems
      throw new InputFileError(
        `compare: the runs are not comparable: ${probs.slice(0, 3).join('; ')}${probs.length > 3 ? ` (+${probs.length - 3} more)` : ''}`,
        'pass --force to compare anyway (verdicts are marked), or --ignore-config KEY when that difference is what you are testing',
      )
    }
    await emitComparison(report, targets, p, ctx)
    return report.failed ? 1 : 0
  },
}
