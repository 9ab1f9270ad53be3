/**
 * Fleet report at scale: build a synthetic fleet (test/fleet/helpers/synthetic-fleet.ts; 2 % of hosts
 * failed) and time the fleet model plus every fleet renderer. Targets (issue 17): 500 hosts render to
 * HTML in under 2 s and under 5 MB.
 *
 *   npx tsx benchmarks/fleet-render.ts [--hosts N] [--runs R]
 *
 * Prints per-run times and the median, the sizes, then the whole command \`virtcheck report DIR --html\`
 * (reading and validating every host's JSON file from a temp folder, which is removed afterwards), and
 * writes the same to benchmarks/results/fleet-render.txt.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../src/cli/main.js'
import { buildFleet } from '../src/fleet/fleet-model.js'
import { renderFleetHtml } from '../reports/fleet/html.js'
import { renderFleetJson } from '../reports/fleet/json.js'
import { renderFleetMarkdown } from '../reports/fleet/markdown.js'
import { syntheticFleet } from '../test/fleet/helpers/synthetic-fleet.js'

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : dflt
}
const hosts = arg('hosts', 500)
const runs = arg('runs', 5)
const { reports, failures } = syntheticFleet(hosts)
// Wall time, and this process's CPU time for model+HTML (on a shared, loaded machine the wall time
// also counts the time other processes held the CPU).
const times: { model: number; html: number; md: number; json: number; cpu: number }[] = []
let sizes = { html: 0, md: 0, json: 0 }
for (let r = 0; r < runs; r++) {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const fleet = buildFleet(reports, failures)
  const t1 = performance.now()
  const html = renderFleetHtml(fleet, 'bench')
  const t2 = performance.now()
  const c1 = process.cpuUsage(c0)
  const md = renderFleetMarkdown(fleet)
  const t3 = performance.now()
  const json = renderFleetJson(fleet, 'bench')
  const t4 = performance.now()
  times.push({ model: t1 - t0, html: t2 - t1, md: t3 - t2, json: t4 - t3, cpu: (c1.user + c1.system) / 1000 })
  sizes = { html: Buffer.byteLength(html), md: Buffer.byteLength(md), json: Buffer.byteLength(json) }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const modelPlusHtml = times.map((t) => t.model + t.html)
const lines = [
  `fleet-render: ${hosts} hosts (${failures.length} failed), ${runs} runs, node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}, ${new Date().toISOString()}`,
  ...times.map(
    (t, i) =>
      `  run ${i + 1}: model ${t.model.toFixed(0)} ms, html ${t.html.toFixed(0)} ms (model+html CPU ${t.cpu.toFixed(0)} ms), markdown ${t.md.toFixed(0)} ms, json ${t.json.toFixed(0)} ms`,
  ),
  `median model+HTML: ${med(modelPlusHtml).toFixed(0)} ms wall, ${med(times.map((t) => t.cpu)).toFixed(0)} ms CPU (target < 2000 ms, first run ${modelPlusHtml[0]!.toFixed(0)} ms wall)  ${med(modelPlusHtml) < 2000 ? 'OK' : 'OVER TARGET'}`,
  `HTML size: ${(sizes.html / 1e6).toFixed(2)} MB (target < 5 MB)  ${sizes.html < 5e6 ? 'OK' : 'OVER TARGET'}; Markdown ${(sizes.md / 1e6).toFixed(2)} MB; JSON ${(sizes.json / 1e6).toFixed(2)} MB`,
]
// End to end: the files on disk, read, validated and rendered by the CLI in this process.
const tmp = mkdtempSync(join(tmpdir(), 'virtcheck-fleet-bench-'))
try {
  for (const { report } of reports) {
    mkdirSync(join(tmp, 'results', report.host.hostname), { recursive: true })
    writeFileSync(join(tmp, 'results', report.host.hostname, 'bench.json'), JSON.stringify(report))
  }
  for (const f of failures) {
    mkdirSync(join(tmp, 'results', f.host), { recursive: true })
    writeFileSync(
      join(tmp, 'results', f.host, 'failed.json'),
      JSON.stringify({ schema: 'virtcheck-fleet-failure', host: f.host, reason: f.reason }),
    )
  }
  // The floor in the same run: reading and JSON.parse of the same files, nothing else.
  const tf = performance.now()
  for (const { report } of reports) JSON.parse(readFileSync(join(tmp, 'results', report.host.hostname, 'bench.json'), 'utf8'))
  const floorMs = performance.now() - tf
  const sink = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const code = await run(['report', join(tmp, 'results'), '--html', join(tmp, 'fleet.html')], {
    stdout: sink,
    stderr: sink,
    env: { NO_COLOR: '1' },
    cwd: tmp,
  })
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  lines.push(
    `end to end \`virtcheck report DIR --html\` (${hosts} files read and validated): ${ms.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, exit ${code}, ${(statSync(join(tmp, 'fleet.html')).size / 1e6).toFixed(2)} MB`,
  )
  lines.push(`  floor in the same run: only reading + JSON.parse of those files: ${floorMs.toFixed(0)} ms`)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
console.log(lines.join('\n'))
writeFileSync(join(import.meta.dirname, 'results', 'fleet-render.txt'), lines.join('\n') + '\n')
