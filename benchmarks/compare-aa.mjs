#!/usr/bin/env node
// Regression verdicts between separately taken runs (issue 18's bar): RUNS separate quick runs of
// native and container, each compared with the next by `virtcheck compare` with its defaults (tier cells
// judged by their ratio to native from the same run; native's own cells that drift can explain are
// `drift?`, which does not fail). Nothing changed between the runs, so every pair must give 0 regressed
// and 0 improved. Then one run with a planted slowdown (container cpu-quota=70: about 30% less CPU),
// compared with the last A/A run, must still be caught: container cpu.int regressed.
// Prints the figures; --save also writes them to benchmarks/results/compare-aa-<date>.txt.
// Needs root (the container tier) and the built tree (`npm run build`).
// Usage: node benchmarks/compare-aa.mjs [--runs N] [--save] [--keep DIR (the runs' result files are copied there)]
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const usage = 'usage: node benchmarks/compare-aa.mjs [--runs N (>= 2, default 11)] [--save] [--keep DIR]'
const argv = process.argv.slice(2)
let RUNS = 11
let SAVE = false
let KEEP
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--save') SAVE = true
  else if (argv[i] === '--keep' && argv[i + 1]) KEEP = argv[++i]
  else if (argv[i] === '--runs' && /^\d+$/.test(argv[i + 1] ?? '') && Number(argv[i + 1]) >= 2) RUNS = Number(argv[++i])
  else {
    console.error(`compare-aa: unknown or bad option ${JSON.stringify(argv[i])}\n${usage}`)
    process.exit(2)
  }
}
const cli = join(root, 'bin', 'virtcheck.js')
if (!existsSync(join(root, 'dist'))) {
  console.error('compare-aa: dist/ is missing: run `npm run build` first')
  process.exit(2)
}
// compare's own rule and formatting (the built tree), so what the script counts is what compare decides
const { fmtPct, RATIO_RUN_TO_RUN_PCT } = await import(join(root, 'dist', 'src', 'compare', 'verdict.js'))
const { RELATIVE_UNIT } = await import(join(root, 'dist', 'src', 'compare', 'relative.js'))

const JOBS = 'cpu.int,sys.syscall,mem.stream'
const BENCH = ['bench', '--quick', '--tiers', 'native,container', '--jobs', JOBS]
const QUOTA = 'container.cpu-quota=70'
// bench's own saved runs go here too, so the script leaves nothing in the checkout
const work = mkdtempSync(join(tmpdir(), 'vc-compare-aa-'))
const lines = []
const say = (s = '') => {
  lines.push(s)
  console.log(s)
}
const virtcheck = (args) => {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, VIRTCHECK_HOME: work, NO_COLOR: '1' },
    maxBuffer: 64 << 20,
  })
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
}
const lastLine = (s) => s.trim().split('\n').slice(-1)[0] ?? ''
const hhmm = () => new Date().toISOString().slice(11, 19)

const bench = (file, extra = []) => {
  const r = virtcheck([...BENCH, ...extra, '--json', file])
  if (r.code !== 0 || !existsSync(file)) throw new Error(`bench ${extra.join(' ')} exited ${r.code}: ${lastLine(r.stderr)}`)
  return JSON.parse(readFileSync(file, 'utf8'))
}
const compare = (a, b, extra = []) => {
  const r = virtcheck(['compare', a, b, ...extra, '--json', '-'])
  if (r.code !== 0 && r.code !== 1) throw new Error(`compare exited ${r.code}: ${lastLine(r.stderr)}`)
  return { code: r.code, report: JSON.parse(r.stdout) }
}
const counts = (s) =>
  `${s.regressed} regressed, ${s.improved} improved, ${s.unchanged} unchanged, ${s.inconclusive} inconclusive, ${s.drift} drift?`
const cellLine = (c) =>
  `   ${c.verdict.padEnd(12)} ${c.tier} ${c.job} ${c.metric}: ${c.reason.length > 150 ? `${c.reason.slice(0, 150)}…` : c.reason}`

let failed
try {
  say(`virtcheck compare between separate runs: A/A pairs and a planted slowdown (benchmarks/compare-aa.mjs)`)
  say(
    `date: ${new Date().toISOString()}   load avg ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  )
  say(`${RUNS} runs of: virtcheck ${BENCH.join(' ')}; compare aa<i> aa<i+1> with the defaults;`)
  say(`then one run with --tier-opt ${QUOTA}, compared with aa${RUNS} (--ignore-config cpuQuotaPct)`)
  const runs = []
  for (let i = 1; i <= RUNS; i++) {
    const file = join(work, `aa${i}.json`)
    runs.push({ file, report: bench(file) })
    say(`run ${i} done ${hhmm()}, load ${loadavg()[0].toFixed(2)}`)
  }
  const quotaFile = join(work, 'quota.json')
  bench(quotaFile, ['--tier-opt', QUOTA])
  say(`quota run done ${hhmm()}`)
  say()
  let falseVerdicts = 0
  // ratio cells that only the RATIO_RUN_TO_RUN_PCT rule keeps from being a verdict (src/compare/verdict.ts)
  let ratioDrift = 0
  for (let i = 1; i < runs.length; i++) {
    const { code, report } = compare(runs[i - 1].file, runs[i].file)
    const s = report.summary
    falseVerdicts += s.regressed + s.improved
    say(`aa${i} -> aa${i + 1}: ${counts(s)} (exit ${code})`)
    for (const c of report.cells) if (c.verdict === 'regressed' || c.verdict === 'improved') say(cellLine(c))
    for (const c of report.cells.filter((x) => x.verdict === 'drift')) {
      const ratio = c.unit === RELATIVE_UNIT
      if (ratio) ratioDrift++
      say(`   drift?       ${c.tier} ${c.job} ${c.metric} ${fmtPct(c.numbers.change)} (${ratio ? 'ratio to native' : 'raw value'})`)
    }
  }
  const quota = compare(runs.at(-1).file, quotaFile, ['--ignore-config', 'cpuQuotaPct'])
  say(`aa${RUNS} -> quota (${QUOTA}): ${counts(quota.report.summary)} (exit ${quota.code})`)
  for (const c of quota.report.cells) if (c.verdict !== 'unchanged') say(cellLine(c))
  const caught = quota.report.cells.some((c) => c.tier === 'container' && c.job === 'cpu.int' && c.verdict === 'regressed')

  say()
  say(`container / native as each run reports it (median of the pair ratios), aa1..aa${RUNS}`)
  const metrics = [...new Set(runs[0].report.results.filter((r) => r.tier === 'container').map((r) => `${r.job} ${r.metric}`))]
  for (const m of metrics) {
    const values = runs.map(({ report }) => {
      const r = report.results.find((x) => x.tier === 'container' && `${x.job} ${x.metric}` === m)
      return r?.ratioToNative ? r.ratioToNative.value.toFixed(3) : '  -  '
    })
    say(`${m.padEnd(20)} ${values.join(' ')}`)
  }
  say()
  failed = falseVerdicts > 0 || !caught
  say(
    `${failed ? 'FAIL' : 'PASS'}: ${falseVerdicts} regressed or improved cell(s) in ${RUNS - 1} A/A pairs (bar: 0); planted quota ${
      caught ? 'caught (container cpu.int regressed)' : 'NOT caught'
    }; ${ratioDrift} ratio-to-native cell(s) drift? (below the ${RATIO_RUN_TO_RUN_PCT}% a ratio needs against one baseline run)`,
  )
} catch (e) {
  failed = true
  say(`FAIL: ${e instanceof Error ? e.message : String(e)}`)
} finally {
  if (KEEP) {
    mkdirSync(KEEP, { recursive: true })
    for (const f of readdirSync(work)) if (f.endsWith('.json')) copyFileSync(join(work, f), join(KEEP, f))
  }
  rmSync(work, { recursive: true, force: true })
}
if (SAVE) {
  const d = new Date().toISOString() // 2026-12-04T19:10:…  ->  compare-aa-2026-12-04T1910Z.txt
  const file = join(root, 'benchmarks', 'results', `compare-aa-${d.slice(0, 10)}T${d.slice(11, 13)}${d.slice(14, 16)}Z.txt`)
  writeFileSync(file, `${lines.join('\n')}\n`)
  console.error(`written to ${file}`)
}
process.exit(failed ? 1 : 0)
