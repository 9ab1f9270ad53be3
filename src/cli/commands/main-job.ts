/**
 * Plain `virtcheck` on a fresh server: probe, quick benchmark matrix over every ready tier, then the JSON
 * and a self-contained HTML report in a dated folder, whose paths are printed last.
 */
import { dirname, join } from 'node:path'
import { EXIT } from '../../core/errors.js'
import { benchRun } from '../../bench/bench-run.js'
import { probeExitCode } from '../../probe-run/run-probes.js'
import { renderOutput, writeTextAtomic } from '../../io/outputs.js'
import { renderFindings } from '../../../reports/terminal-findings.js'
import { renderMatrix } from '../../../reports/terminal-matrix.js'
import { renderSummaryLines } from '../../../reports/summary.js'
import type { Command, CliContext } from '../context.js'
import { BENCH_FLAGS, benchOptionsFromFlags, runEndCode } from './bench.js'
import { parseFlags } from '../parse-flags.js'
import { packageVersion } from '../../host/paths.js'
import { emitNfd, NFD_FLAGS, NFD_USAGE, nfdOptionsFrom } from '../../fleet/nfd-emit.js'

const USAGE = `usage: virtcheck [--full] [--tiers a,b] [--jobs x,y] [--time-budget S] [--label TEXT] [--nfd FILE]

With no command, virtcheck probes the host, runs the quick benchmark matrix in every tier that is ready
(tiers that are not ready are listed with the reason and the fix), and writes result.json and report.html
into .virtcheck/runs/<date>/. The options are those of \`virtcheck bench\` (see \`virtcheck bench --help\`), and:
${NFD_USAGE}

exit codes: 0 ok, 1 a failed finding, tier or job, nothing measured or a result not saved, 2 usage, 130 interrupted
(partial results are kept)`

// The main job takes bench's options, except where the JSON goes (it always writes into the run folder).
const { json: _json, 'from-probe': _fromProbe, ...BENCH_ONLY } = BENCH_FLAGS
const FLAGS = { ...BENCH_ONLY, ...NFD_FLAGS }

const runMainJob = async (args: readonly string[], ctx: CliContext): Promise<number> => {
  const parsed = parseFlags('virtcheck', args, FLAGS)
  const nfd = nfdOptionsFrom('virtcheck', parsed.values, ctx.cwd)
  const opts = benchOptionsFromFlags(parsed, ctx.cwd, 'virtcheck')
  const out = await benchRun(opts, ctx)
  const report = out.report
  // What was measured is printed before anything is written: a full disk must not lose it.
  ctx.out.write(renderFindings(report.findings, report.readiness, ctx.style) + '\n\n')
  ctx.out.write(renderMatrix(report, ctx.style) + '\n\n')
  ctx.out.write(renderSummaryLines(report, ctx.style).join('\n') + '\n\n')
  // Each file is tried; one that cannot be written (a full disk) is named at the end, exit 1.
  const lost: string[] = []
  const attempt = async (write: () => Promise<void>) =>
    write().catch((e: unknown) => void lost.push(e instanceof Error ? e.message : String(e)))
  if (nfd)
    await attempt(async () => {
      const w = await emitNfd(nfd, {
        findings: report.findings,
        readiness: report.readiness,
        host: report.host,
        probeVersion: packageVersion(),
      })
      ctx.err.write(`NFD feature file written to ${nfd.file} (${w.labels} labels, ${w.features} no-label features)\n`)
      for (const d of w.dropped) ctx.err.write(`NFD: left out ${d}\n`)
    })
  const htmlPath = join(dirname(out.resultPath), 'report.html')
  const html = renderOutput('html', [report])
  let htmlWritten = false
  await attempt(async () => {
    await writeTextAtomic(htmlPath, html, { createDir: true })
    htmlWritten = true
  })
  if (!out.saveError) ctx.out.write(`result: ${out.resultPath}\n`)
  if (htmlWritten) ctx.out.write(`report: ${htmlPath}\n`)
  const end = runEndCode(out, ctx, lost)
  if (end !== undefined) return end
  return out.anyFailed || probeExitCode(report.findings) === 1 ? EXIT.failed : EXIT.ok
}

export const mainCommand: Command = {
  name: 'main',
  summary: 'probe + quick benchmark matrix + JSON and HTML reports in a dated folder',
  usage: USAGE,
  run: runMainJob,
}
