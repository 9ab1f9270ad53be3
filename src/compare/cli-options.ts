/**
 * The statistical flags shared by `virtcheck compare` and `virtcheck ab`, parsed into CompareSettings,
 * and the writing of the comparison outputs (the one place compare output files are written).
 */
import { resolve } from 'node:path'
import { InputFileError, UsageError } from '../core/errors.js'
import { flagBool, flagEnum, flagNumber, flagString, type Parsed } from '../cli/parse-flags.js'
import type { CliContext } from '../cli/context.js'
import { checkOutputPath, writeTextAtomic } from '../io/outputs.js'
import { isRefused } from './compare-runs.js'
import { CORRECTIONS } from '../stats/multiplicity.js'
import { DEFAULT_NOISE_BAND } from './run-noise.js'
import { DEFAULT_SETTINGS, FAIL_ON, RELATIVE_TO, type CompareReport, type CompareSettings } from './types.js'
import { renderCompareJson, renderCompareJunit, renderCompareMarkdown, renderCompareTerminal } from '../../reports/compare/index.js'

export const COMPARE_FLAGS = {
  threshold: { type: 'string' },
  alpha: { type: 'string' },
  'fail-on': { type: 'string' },
  correction: { type: 'string' },
  force: { type: 'boolean' },
  'ignore-config': { type: 'string' },
  md: { type: 'string' },
  json: { type: 'string' },
  junit: { type: 'string' },
  verbose: { type: 'boolean' },
} as const

/** Flags of comparisons between separate runs (compare, gate): a multi-run baseline, ratios to native. */
export const BASELINE_FLAGS = {
  window: { type: 'string' },
  'band-k': { type: 'string' },
  'relative-to': { type: 'string' },
  absolute: { type: 'boolean' },
} as const

export const baselineFlagsUsage = `  --window N          multi-run baseline: use each cell's newest N comparable baseline runs (default ${DEFAULT_SETTINGS.window})
  --band-k K          multi-run baseline: run-to-run band = median of run medians ± K × 1.4826 × MAD (default ${DEFAULT_SETTINGS.bandK});
                      a regression must lie outside it (needs ${DEFAULT_NOISE_BAND.minRuns} comparable runs)
  --relative-to M     what tier cells are judged on: auto (default): each tier's ratio to native measured
                      in the same run when both runs completed native (paired repetition by repetition for
                      native and containers; it cancels what slows the whole host between runs), else raw
                      values; native: the same, and every run must have native; none: raw values
  --absolute          the same as --relative-to none: judge every cell on its raw values
                      (native's own cells are always judged on raw values; with a baseline of fewer than
                      ${DEFAULT_NOISE_BAND.minRuns} runs a raw-value change is marked drift? and fails only with --fail-on drift)`

export const compareFlagsUsage = (
  thresholdPct: number,
): string => `  --threshold PCT     minimum |change of medians| to call a regression or improvement (default ${thresholdPct})
  --alpha A           significance level of the two-sided Mann–Whitney test (default ${DEFAULT_SETTINGS.alpha})
  --correction M      multiple-comparison adjustment across cells: none, holm, bh (default none)
  --fail-on P         exit 1 on: regression (regressed or broken cells), drift (also worse cells marked
                      drift?: possibly run-to-run drift), any (any change), never (default regression)
  --force             compare runs that are not comparable (other host, tier config or params); verdicts are marked
  --ignore-config K   comma-separated config keys left out of the comparability check:
                      KEY or TIER.KEY for tier config (e.g. qemuVersion), host.kernel / host.hostname / host.cpuModel
  --md F              write the Markdown summary (PR comment, $GITHUB_STEP_SUMMARY); - for stdout
  --json F            write the comparison as JSON; - for stdout
  --junit F           write JUnit XML (one testcase per cell, regressions fail); - for stdout
  --verbose           list unchanged cells in the terminal table too`

export const compareSettingsFrom = (command: string, p: Parsed, defaults: CompareSettings = DEFAULT_SETTINGS): CompareSettings => {
  const ignore = (flagString(p, 'ignore-config') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return {
    alpha: flagNumber(command, p, 'alpha', { min: 1e-6, max: 0.5 }) ?? defaults.alpha,
    thresholdPct: flagNumber(command, p, 'threshold', { min: 0, max: 1000 }) ?? defaults.thresholdPct,
    correction: flagEnum(command, p, 'correction', CORRECTIONS) ?? defaults.correction,
    failOn: flagEnum(command, p, 'fail-on', FAIL_ON) ?? defaults.failOn,
    forced: flagBool(p, 'force'),
    ignoreConfigKeys: ignore,
    // Only compare and gate take a multi-run baseline (BASELINE_FLAGS); ab keeps the defaults.
    window: flagNumber(command, p, 'window', { min: 1, max: 1000, integer: true }) ?? defaults.window,
    bandK: flagNumber(command, p, 'band-k', { min: 0.5, max: 20 }) ?? defaults.bandK,
    relativeTo: relativeToFrom(command, p) ?? defaults.relativeTo,
  }
}

const relativeToFrom = (command: string, p: Parsed): CompareSettings['relativeTo'] | undefined => {
  const named = flagEnum(command, p, 'relative-to', RELATIVE_TO)
  if (!flagBool(p, 'absolute')) return named
  if (named !== undefined && named !== 'none')
    throw new UsageError(`${command}: --absolute contradicts --relative-to ${named}`, 'give one of them')
  return 'none'
}

/** Not comparable runs are refused (exit 2, the differences named) unless --force. */
export const refuseIfNotComparable = (command: string, r: CompareReport): void => {
  if (!isRefused(r)) return
  const probs = r.comparability.problems
  throw new InputFileError(
    `${command}: the runs are not comparable: ${probs.slice(0, 3).join('; ')}${probs.length > 3 ? ` (+${probs.length - 3} more)` : ''}`,
    'pass --force to compare anyway (verdicts are marked), or --ignore-config KEY when that difference is what you are testing',
  )
}

interface Target {
  readonly flag: 'md' | 'json' | 'junit'
  readonly path: string
}

/** The requested outputs, each file checked now: ab and gate measure for minutes before writing them. */
export const outputTargets = (command: string, p: Parsed, cwd: string): Target[] => {
  const targets = (['md', 'json', 'junit'] as const).flatMap((flag) => {
    const path = flagString(p, flag)
    if (path === '') throw new UsageError(`${command}: --${flag} needs a file name or -`)
    if (path !== undefined && path !== '-') checkOutputPath(`${command}: --${flag}`, resolve(cwd, path))
    return path === undefined ? [] : [{ flag, path }]
  })
  if (targets.filter((t) => t.path === '-').length > 1) throw new UsageError(`${command}: only one output can go to stdout (-)`)
  return targets
}

/** Terminal table to stdout (or stderr when an output file is `-`), then every requested file. */
export const emitComparison = async (r: CompareReport, targets: readonly Target[], p: Parsed, ctx: CliContext): Promise<void> => {
  const toStdout = targets.some((t) => t.path === '-')
  const term = renderCompareTerminal(r, toStdout ? ctx.errStyle : ctx.style, { verbose: flagBool(p, 'verbose') })
  ;(toStdout ? ctx.err : ctx.out).write(term)
  for (const t of targets) {
    const text = t.flag === 'md' ? renderCompareMarkdown(r) : t.flag === 'json' ? renderCompareJson(r) : renderCompareJunit(r)
    if (t.path === '-') ctx.out.write(text)
    else {
      const abs = resolve(ctx.cwd, t.path)
      await writeTextAtomic(abs, text)
      ctx.err.write(`${ctx.errStyle.chalk.dim(`${t.flag} written to`)} ${abs}\n`)
    }
  }
}
