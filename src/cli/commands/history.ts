/**
 * `virtcheck history add|report|export`: keep finished runs in a folder, draw trends against a
 * rolling baseline, and export for github-action-benchmark or Bencher dashboards.
 */
import { resolve } from 'node:path'
import { execa } from 'execa'
import { InputFileError, UsageError } from '../../core/errors.js'
import { readRunReport } from '../../io/read-report.js'
import { safeText } from '../../../reports/format/safe-text.js'
import { writeTextAtomic } from '../../io/outputs.js'
import { addRun, loadRuns } from '../../history/store.js'
import { buildTrends, DEFAULT_TREND, latestRegressions, type TrendSettings } from '../../history/trend.js'
import { renderHistoryHtml } from '../../../reports/history/html.js'
import { renderHistoryMarkdown } from '../../../reports/history/markdown.js'
import { DIRECTIONS, EXPORT_FORMATS, renderExport } from '../../history/export.js'
import { nativeProblem, relativeToNative } from '../../compare/relative.js'
import { RELATIVE_TO } from '../../compare/types.js'
import type { CliContext, Command } from '../context.js'
import { flagBool, flagEnum, flagNumber, flagString, parseFlags } from '../parse-flags.js'

const USAGE = `usage:
  virtcheck history add RESULT.json --dir DIR [--label TEXT] [--commit SHA|auto]
  virtcheck history report --dir DIR [--html F] [--md F] [--window N] [--k K] [--threshold PCT] [--relative-to native] [--fail-on-regression]
  virtcheck history export (--dir DIR | RESULT.json) --format github-action-benchmark|bencher [--direction bigger|smaller] [--out F]

add      copies a finished run into DIR/runs/ and records it in DIR/index.json with its label, commit
         (--commit auto reads \`git rev-parse HEAD\` in the current folder), time, host and config fingerprints.
report   trend per (tier, job, metric); each run is judged against a rolling baseline: the median of the
         last --window (default ${DEFAULT_TREND.window}) comparable runs (same host, tier config, job params; at least
         ${DEFAULT_TREND.minHistory}), with a noise band of ± --k (default ${DEFAULT_TREND.k}) × 1.4826 × MAD. A regression is outside the band
         in the worse direction AND at least --threshold (default ${DEFAULT_TREND.thresholdPct})% from the baseline.
         --html writes a self-contained page with SVG charts; --md a Markdown summary (- for stdout).
         --fail-on-regression exits 1 when the latest run regressed. --relative-to native: the series are
         each tier's ratio to native from the same run, as in \`compare --relative-to native\`.
export   the latest run in DIR (or RESULT.json) as github-action-benchmark custom JSON (with --direction:
         the plain customBiggerIsBetter / customSmallerIsBetter array) or Bencher Metric Format; --out F or stdout.`

const sub = (args: readonly string[]): [string, readonly string[]] => {
  const [first, ...rest] = args
  if (first === undefined) throw new UsageError('history: expected a subcommand: add, report or export', 'see `virtcheck history --help`')
  return [first, rest]
}

const needDir = (cmd: string, v: string | undefined): string => {
  if (!v) throw new UsageError(`${cmd}: --dir DIR is required`)
  return v
}

const gitCommit = async (cwd: string): Promise<string> => {
  const r = await execa('git', ['rev-parse', 'HEAD'], { cwd, reject: false, timeout: 5000 })
  if (r.exitCode !== 0 || !/^[0-9a-f]{7,64}$/.test(r.stdout.trim()))
    throw new UsageError('history add: --commit auto needs a git work tree here (git rev-parse HEAD failed)', 'pass --commit SHA instead')
  return r.stdout.trim()
}

const write = async (ctx: CliContext, path: string, text: string, what: string): Promise<void> => {
  if (path === '-') return ctx.out.write(text)
  const abs = resolve(ctx.cwd, path)
  await writeTextAtomic(abs, text)
  ctx.err.write(`${ctx.errStyle.chalk.dim(`${what} written to`)} ${abs}\n`)
}

const add = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const p = parseFlags('history add', args, { dir: { type: 'string' }, label: { type: 'string' }, commit: { type: 'string' } }, true)
  if (p.positionals.length !== 1) throw new UsageError(`history add: expected one RESULT.json, got ${p.positionals.length}`)
  const dir = resolve(ctx.cwd, needDir('history add', flagString(p, 'dir')))
  const commitFlag = flagString(p, 'commit')
  const commit = commitFlag === 'auto' ? await gitCommit(ctx.cwd) : commitFlag
  const label = flagString(p, 'label')
  const entry = await addRun(dir, resolve(ctx.cwd, p.positionals[0] as string), {
    ...(label === undefined ? {} : { label }),
    ...(commit === undefined ? {} : { commit }),
  })
  ctx.out.write(
    safeText(
      `added ${entry.id}${entry.label ? ` (${entry.label})` : ''}${entry.commit ? ` @ ${entry.commit.slice(0, 12)}` : ''} to ${dir}`,
    ) + '\n',
  )
  return 0
}

const report = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const p = parseFlags(
    'history report',
    args,
    {
      dir: { type: 'string' },
      html: { type: 'string' },
      md: { type: 'string' },
      window: { type: 'string' },
      k: { type: 'string' },
      threshold: { type: 'string' },
      'relative-to': { type: 'string' },
      'fail-on-regression': { type: 'boolean' },
    },
    false,
  )
  const dir = resolve(ctx.cwd, needDir('history report', flagString(p, 'dir')))
  const settings: TrendSettings = {
    ...DEFAULT_TREND,
    window: flagNumber('history report', p, 'window', { min: DEFAULT_TREND.minHistory, max: 1000, integer: true }) ?? DEFAULT_TREND.window,
    k: flagNumber('history report', p, 'k', { min: 0.5, max: 20 }) ?? DEFAULT_TREND.k,
    thresholdPct: flagNumber('history report', p, 'threshold', { min: 0, max: 1000 }) ?? DEFAULT_TREND.thresholdPct,
    ...(flagEnum('history report', p, 'relative-to', RELATIVE_TO) === 'native' ? { relativeTo: 'native' as const } : {}),
  }
  const stored = await loadRuns(dir)
  if (stored.length === 0)
    throw new InputFileError(`${dir}: the history is empty`, 'add runs with `virtcheck history add RESULT.json --dir DIR`')
  // Relative to native: runs without a completed native tier have nothing to show, and drop out.
  const runs =
    settings.relativeTo === 'native'
      ? stored.filter((r) => nativeProblem(r.run) === undefined).map((r) => ({ ...r, run: relativeToNative(r.run) }))
      : stored
  if (runs.length === 0)
    throw new InputFileError(`--relative-to native: ${dir}: no run in the history measured native`, 'run the bench with --tiers native,...')
  const trends = buildTrends(runs, settings)
  const html = flagString(p, 'html')
  const md = flagString(p, 'md')
  if (html === '-' && md === '-') throw new UsageError('history report: only one output can go to stdout (-)')
  if (html !== undefined) await write(ctx, html, renderHistoryHtml(runs, trends, settings), 'html')
  if (md !== undefined) await write(ctx, md, renderHistoryMarkdown(runs, trends, settings), 'md')
  const reg = latestRegressions(trends)
  const sink = html === '-' || md === '-' ? ctx.err : ctx.out
  const st = html === '-' || md === '-' ? ctx.errStyle : ctx.style
  sink.write(
    `${runs.length} runs, ${trends.length} series; latest run: ${reg.length === 0 ? st.chalk.green('no regression against the rolling baseline') : st.chalk.red(`${reg.length} regression(s)`)}\n`,
  )
  for (const t of reg) {
    const pt = t.points.at(-1)
    const b = pt?.baseline
    if (pt?.median !== undefined && b)
      sink.write(
        `  ${st.chalk.red('regressed')} ${safeText(`${t.tier} ${t.job} ${t.metric}`)}: ${pt.median.toPrecision(4)} ${safeText(t.unit)} vs baseline ${b.median.toPrecision(4)} (band ${b.low.toPrecision(4)}–${b.high.toPrecision(4)}, ${b.runs} runs), ${((pt.change ?? 0) * 100).toFixed(1)}%\n`,
      )
  }
  return flagBool(p, 'fail-on-regression') && reg.length > 0 ? 1 : 0
}

const exportCmd = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const p = parseFlags(
    'history export',
    args,
    { dir: { type: 'string' }, format: { type: 'string' }, direction: { type: 'string' }, out: { type: 'string' } },
    true,
  )
  const format = flagEnum('history export', p, 'format', EXPORT_FORMATS)
  if (!format) throw new UsageError(`history export: --format is required (${EXPORT_FORMATS.join(' or ')})`)
  const direction = flagEnum('history export', p, 'direction', DIRECTIONS)
  if (direction && format !== 'github-action-benchmark')
    throw new UsageError('history export: --direction only applies to --format github-action-benchmark')
  const dir = flagString(p, 'dir')
  if ((dir === undefined) === (p.positionals.length === 0) || p.positionals.length > 1)
    throw new UsageError('history export: give either --dir DIR (exports its latest run) or one RESULT.json')
  const run =
    dir !== undefined
      ? (await loadRuns(resolve(ctx.cwd, dir))).at(-1)?.run
      : await readRunReport(resolve(ctx.cwd, p.positionals[0] as string))
  if (!run) throw new InputFileError(`${dir}: the history is empty`)
  await write(ctx, flagString(p, 'out') ?? '-', renderExport(run, format, direction), format)
  return 0
}

export const historyCommand: Command = {
  name: 'history',
  summary: 'keep runs in a folder, trend charts against a rolling baseline, dashboard exports',
  usage: USAGE,
  run: async (args, ctx) => {
    const [name, rest] = sub(args)
    if (name === 'add') return add(rest, ctx)
    if (name === 'report') return report(rest, ctx)
    if (name === 'export') return exportCmd(rest, ctx)
    throw new UsageError(`history: unknown subcommand ${JSON.stringify(name)}`, 'subcommands: add, report, export')
  },
}
