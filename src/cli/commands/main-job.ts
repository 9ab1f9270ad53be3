/**
 * Plain `virtcheck` on a fresh server: probe, quick benchmark matrix over every ready tier, then the JSON
 * and a self-contained HTML report in a dated folder, whose paths are printed last.
 */
import { dirname, join } from 'node:path'
import { EXIT } from '../../core/errors.js'
import { benchRun } from '../../bench/bench-run.js'
import { probeExitCode } from '../../probe-run/run-probes.js'
import { writeOutputs } from '../../io/outputs.js'
import { renderFindings } from '../../../reports/terminal-findings.js'
import { renderMatrix } from '../../../reports/terminal-matrix.js'
import { renderSummaryLines } from '../../../reports/summary.js'
import type { Command, CliContext } from '../context.js'
import { BENCH_FLAGS, benchOptionsFromFlags } from './bench.js'
import { parseFlags } from '../parse-flags.js'
import { packageVersion } from '../../host/paths.js'
import { emitNfd, NFD_FLAGS, NFD_USAGE, nfdOptionsFrom } from '../../fleet/nfd-emit.js'

const USAGE = `usage: virtcheck [--full] [--tiers a,b] [--jobs x,y] [--time-budget S] [--label TEXT] [--nfd FILE]

With no command, virtcheck probes the host, runs the quick benchmark matrix in every tier that is ready
(tiers that are not ready are listed with the reason and the fix), and writes result.json and report.html
into .virtcheck/runs/<date>/. The options are those of \`virtcheck bench\` (see \`virtcheck bench --help\`), and:
${NFD_USAGE}

exit codes: 0 ok, 1 a failed finding, tier or job, 2 usage, 130 interrupted (partial results are kept)`

// The main job takes bench's options, except where the JSON goes (it always writes into the run folder).
const { json: _json, 'from-probe': _fromProbe, ...BENCH_ONLY } = BENCH_FLAGS
const FLAGS = { ...BENCH_ONLY, ...NFD_FLAGS }

const runMainJob = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const parsed = parseFlags('virtcheck', args, FLAGS)
  const nfd = nfdOptionsFrom('virtcheck', parsed.values, ctx.cwd)
  const opts = benchOptionsFromFlags(parsed, ctx.cwd, 'virtcheck')
  const out = await benchRun(opts, ctx)
  const report = out.report
  if (nfd) {
    const w = await emitNfd(nfd, {
      findings: report.findings,
      readiness: report.readiness,
      host: report.host,
      probeVersion: packageVersion(),
    })
    ctx.err.write(`NFD feature file written to ${nfd.file} (${w.labels} labels, ${w.features} no-label features)\n`)
    for (const d of w.dropped) ctx.err.write(`NFD: left out ${d}\n`)
  }
  const htmlPath = join(dirname(out.resultPath), 'report.html')
  await writeOutputs(report, { html: htmlPath }, { stdout: ctx.out, cwd: ctx.cwd })

  ctx.out.write(renderFindings(report.findings, report.readiness, ctx.style) + '\n\n')
  ctx.out.write(renderMatrix(report, ctx.style) + '\n\n')
  ctx.out.write(renderSummaryLines(report, ctx.style).join('\n') + '\n\n')
  ctx.out.write(`result: ${out.resultPath}\nreport: ${htmlPath}\n`)
  if (out.interrupted) return EXIT.interrupted
  return out.anyFailed || probeExitCode(report.findings) === 1 ? EXIT.failed : EXIT.ok
}

export const mainCommand: Command = {
  name: 'main',
  summary: 'probe + quick benchmark matrix + JSON and HTML reports in a dated folder',
  usage: USAGE,
  run: runMainJob,
}
