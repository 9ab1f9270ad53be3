/**
 * `virtcheck report RESULT.json [more.json ...] [--html F] [--md F] [--junit F] [--json F] [--terminal]`
 * Re-renders saved runs without measuring again. Several outputs at once; `-` is stdout (only one).
 * With no output flag the terminal matrix goes to stdout. A few inputs merge into one comparison
 * (hosts as column groups) for terminal, HTML and Markdown; a folder, 10+ files or --fleet make a
 * fleet report (hosts as rows: src/fleet/, reports/fleet/, docs/fleet.md).
 */
import { resolve } from 'node:path'
import { UsageError } from '../../core/errors.js'
import type { RunReport } from '../../core/report.js'
import { readRunReport } from '../../io/read-report.js'
import { checkTargets, writeOutputs, writeTextAtomic, type OutputTargets } from '../../io/outputs.js'
import { readFleetInput, type FleetInput } from '../../fleet/fleet-input.js'
import { buildFleet } from '../../fleet/fleet-model.js'
import { packageVersion } from '../../host/paths.js'
import { renderFleetHtml } from '../../../reports/fleet/html.js'
import { renderFleetJson } from '../../../reports/fleet/json.js'
import { renderFleetMarkdown } from '../../../reports/fleet/markdown.js'
import { renderFleetTerminal } from '../../../reports/fleet/terminal.js'
import { renderMatrix } from '../../../reports/terminal-matrix.js'
import { renderSummaryLines } from '../../../reports/summary.js'
import { renderFindings } from '../../../reports/terminal-findings.js'
import type { CliContext, Command } from '../context.js'
import { flagBool, flagString, parseFlags } from '../parse-flags.js'

/** From this many input files on, hosts stop being column groups and become rows of a fleet report. */
export const FLEET_MIN_HOSTS = 10

const USAGE = `usage: virtcheck report RESULT.json|FOLDER [MORE ...] [options]

Render saved run reports (from \`virtcheck bench --json\` or \`probe --json\`) without measuring again.

A folder, ${FLEET_MIN_HOSTS} or more reports, or --fleet make a fleet report (docs/fleet.md): hosts × capabilities,
hosts × tier cost per job class, groups by CPU model and kernel, hosts that stand out from their group,
failed hosts with their reason (unusable files and virtcheck-fleet-failure records), comparison keys.

options:
  --html FILE     self-contained HTML page (charts, findings, methodology); several inputs merge into one page
  --md FILE       Markdown for a pull-request comment or CI job summary
  --junit FILE    JUnit XML (findings and jobs as test cases); one input only
  --json FILE     the validated run report as JSON; one input only
  --terminal      also print the terminal matrix (the default when no output is given)
  --fleet         fleet report even for a few files (--json writes the fleet model, --junit is refused)

FILE may be - for stdout (at most one output). Several outputs can be written at once.
Bad, truncated, foreign or newer-schema files are refused with exit code 2.`

const renderFleet = async (input: FleetInput, targets: OutputTargets, terminal: boolean, ctx: CliContext): Promise<number> => {
  if (targets.junit !== undefined)
    throw new UsageError('report: --junit takes a single run report, not a fleet', 'use --html, --md or --json for a fleet')
  const fleet = buildFleet(input.reports, input.failures)
  const version = packageVersion()
  // Render everything first, so a failing renderer writes nothing.
  const texts: [string, string, string][] = []
  if (targets.html !== undefined) texts.push(['fleet HTML', targets.html, renderFleetHtml(fleet, version)])
  if (targets.md !== undefined) texts.push(['fleet Markdown', targets.md, renderFleetMarkdown(fleet)])
  if (targets.json !== undefined) texts.push(['fleet JSON', targets.json, renderFleetJson(fleet, version)])
  for (const [what, target, text] of texts) {
    if (target === '-') ctx.out.write(text)
    else {
      await writeTextAtomic(resolve(ctx.cwd, target), text)
      ctx.err.write(`${ctx.errStyle.chalk.dim(`${what} written to`)} ${target}\n`)
    }
  }
  if (terminal) ctx.out.write(renderFleetTerminal(fleet, ctx.style))
  return 0
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'render saved run reports as terminal matrix, HTML, Markdown, JUnit or JSON; merge several hosts',
  usage: USAGE,
  run: async (args, ctx) => {
    const p = parseFlags(
      'report',
      args,
      {
        html: { type: 'string' },
        md: { type: 'string' },
        junit: { type: 'string' },
        json: { type: 'string' },
        terminal: { type: 'boolean' },
        fleet: { type: 'boolean' },
      },
      true,
    )
    if (p.positionals.length === 0)
      throw new UsageError('report: give at least one run report file', 'virtcheck report run.json --html report.html')
    const targets: OutputTargets = Object.fromEntries(
      (['html', 'md', 'junit', 'json'] as const).flatMap((f) => {
        const v = flagString(p, f)
        return v === undefined ? [] : [[f, v]]
      }),
    )
    checkTargets(targets)
    const anyOutput = Object.keys(targets).length > 0
    const terminal = flagBool(p, 'terminal') || !anyOutput
    const toStdout = Object.values(targets).includes('-')
    if (terminal && toStdout) throw new UsageError('report: --terminal and an output to stdout (-) would interleave; pick one')
    const fleetInput = await readFleetInput(p.positionals.map((f) => resolve(ctx.cwd, f)))
    if (flagBool(p, 'fleet') || fleetInput.fromFolder || fleetInput.failureRecords > 0 || p.positionals.length >= FLEET_MIN_HOSTS)
      return renderFleet(fleetInput, targets, terminal, ctx)
    const reports: RunReport[] = []
    for (const file of p.positionals) reports.push(await readRunReport(file))
    const written = await writeOutputs(reports, targets, { stdout: ctx.out, cwd: ctx.cwd })
    if (terminal) {
      const only = reports.length === 1 ? reports[0] : undefined
      if (only) {
        ctx.out.write(renderSummaryLines(only, ctx.style).join('\n') + '\n\n')
        if (only.findings.length > 0) ctx.out.write(renderFindings(only.findings, only.readiness, ctx.style).trimEnd() + '\n\n')
      }
      ctx.out.write(renderMatrix(reports, ctx.style))
    }
    for (const w of written) if (w.target !== '-') ctx.err.write(`${ctx.errStyle.chalk.dim(`${w.format} written to`)} ${w.target}\n`)
    return 0
  },
}
