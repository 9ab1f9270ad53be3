#!/usr/bin/env node
// Quality bars of the regression gate, measured on this machine (issue 6). Prints the figures and
// saves them to benchmarks/results/regression-quality.txt.
//
// 1. A/A, interleaved: `virtcheck ab` with identical option sets, N times (default 10): regressions
//    reported must be 0.
// 2. A/A, separate runs, the way CI makes them: a history seeded with 3 bench runs, then 10 x
//    `virtcheck gate history` (each result added afterwards): confirmed regressions must be 0. The same
//    runs compared pairwise are printed for reference (what a single-run baseline says).
// 3. Planted slowdown: built-in container with a cgroup CPU quota of 50% of one CPU (B) against 100%
//    (A), interleaved (`ab`, also at 20%) and as a separate gated run against the history (3b): the
//    CPU-bound jobs must be regressions, io.fsync (waits on the disk) must not.
// 4. A transient neighbour (20 s of dd oflag=dsync) during the first run of a gate: whatever it slows
//    must not survive the confirmation run.
//
// Bounded: quick job parameters, 5 jobs, 6 repetitions per side. Needs root (container tier) and the
// built vcwork (`npm run build:native`).
// Usage: node benchmarks/regression-quality.mjs [--aa N] [--seed K] [--gates N] [--confirm-delay S] [--parts aa,runs,planted,transient]
// (the results file is rewritten with the parts that ran)
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const partsArg = process.argv.indexOf('--parts')
const PARTS = partsArg > 0 ? (process.argv[partsArg + 1] ?? '').split(',') : ['aa', 'runs', 'planted', 'transient']
const AA_RUNS = arg('--aa', 10)
const SEED = arg('--seed', 3)
const GATES = arg('--gates', 10)
const CONFIRM_S = arg('--confirm-delay', 30)
const JOBS = 'cpu.int,cpu.fp,sys.syscall,io.fsync,mem.stream'
const CPU_BOUND = ['cpu.int', 'cpu.fp', 'sys.syscall', 'mem.stream']
const NOT_CPU_BOUND = ['io.fsync']
// io.fsync mostly waits on the disk, but its syscalls still use CPU: measure that share (bash's `time`
// around a 2 s native run) so the planted-quota bars know whether a quota binds it. A quota below its
// share slows it for real, and a regression there is correct, not a false flag.
const fsyncCpuShare = () => {
  const dir = mkdtempSync(join(tmpdir(), 'virtcheck-fsync-share-'))
  const vcwork = join(root, 'build', 'native', process.arch === 'arm64' ? 'aarch64' : 'x86_64', 'vcwork')
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S %R'; time "$0" run io.fsync --reps 5 --target-ms 400 --target "$1" >/dev/null 2>&1`, vcwork, dir], { encoding: 'utf8' })
  rmSync(dir, { recursive: true, force: true })
  const [u, sy, real] = r.stderr.trim().split(/\s+/).slice(-3).map(Number)
  return (u + sy) / real
}
const work = mkdtempSync(join(tmpdir(), 'virtcheck-quality-'))
const lines = []
const say = (s = '') => {
  lines.push(s)
  console.log(s)
}

const virtcheck = (args, timeoutS = 300) => {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'src/cli/entry.ts'), ...args], {
    cwd: work,
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    env: { ...process.env, NO_COLOR: '1', VIRTCHECK_HOME: join(work, '.virtcheck') },
  })
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
}

const verdictLine = (c) =>
  `${c.tier} ${c.job} ${c.metric}: ${c.verdict} (median ${c.numbers.medianBase.toPrecision(4)} -> ${c.numbers.medianHead.toPrecision(4)} ${c.unit}, ${(c.numbers.change * 100).toFixed(1)}%, p=${c.numbers.p.toPrecision(2)}, n=${c.numbers.nBase}/${c.numbers.nHead})`

const t0 = Date.now()
say(`virtcheck regression quality — ${new Date().toISOString()}`)
say(`host: ${execFileSync('uname', ['-nr'], { encoding: 'utf8' }).trim()}, load before: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`)
say(`decision rule: defaults (alpha 0.01; threshold 5% for ab, 10% for compare/gate of separate runs; gate: run-to-run band ±3 scaled MADs of the history's run medians, confirmation after ${CONFIRM_S} s); jobs ${JOBS}, quick params, 6 reps/side`)
say()

// 1. interleaved A/A
if (PARTS.includes('aa')) {
say(`1) A/A interleaved: virtcheck ab --tier container --a '' --b '' (x${AA_RUNS})`)
let aaReg = 0
let aaCells = 0
let aaInconclusive = 0
for (let i = 0; i < AA_RUNS; i++) {
  const r = virtcheck(['ab', '--tier', 'container', '--a', '', '--b', '', '--jobs', JOBS, '--reps', '6', '--json', '-'])
  if (r.code !== 0 && r.code !== 1) {
    say(`   run ${i + 1}: FAILED exit ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`)
    continue
  }
  const j = JSON.parse(r.stdout)
  const reg = j.cells.filter((c) => c.verdict === 'regressed')
  aaReg += reg.length
  aaCells += j.cells.length
  aaInconclusive += j.cells.filter((c) => c.verdict === 'inconclusive').length
  say(`   run ${i + 1}: ${j.summary.regressed} regressed, ${j.summary.improved} improved, ${j.summary.unchanged} unchanged, ${j.summary.inconclusive} inconclusive${reg.map((c) => `\n      ! ${verdictLine(c)}`).join('')}`)
}
say(`   => A/A interleaved: ${aaReg} regression(s) in ${aaCells} cells over ${AA_RUNS} comparisons (${aaInconclusive} inconclusive) — bar: 0 — ${aaReg === 0 ? 'PASS' : 'FAIL'}`)
say()
}

// 2. separate runs, as a nightly CI job on the default branch makes them: a history seeded with
// SEED plain bench runs, then GATES x `virtcheck gate history` (bench + compare with the history's
// run-to-run band + confirmation of each regression after CONFIRM_S), each result added to the history
// afterwards. The same runs are also compared pairwise (each with the one before), the single-run
// baseline that cannot see run-to-run noise, to show what the band and the confirmation remove.
const BENCH_ARGS = ['--tiers', 'container', '--jobs', JOBS, '--quick', '--reps', '6']
const gateOnce = (history, result, extra = []) => {
  const out = join(work, `gate-${Date.now()}.json`)
  const r = virtcheck(['gate', history, ...BENCH_ARGS, '--confirm-delay', String(CONFIRM_S), '--result', result, '--json', out, ...extra], 600)
  if (r.code !== 0 && r.code !== 1) return { error: `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}` }
  return { j: JSON.parse(readFileSync(out, 'utf8')) }
}
const countLine = (j) => `${j.summary.regressed} regressed, ${j.summary.improved} improved, ${j.summary.unchanged} unchanged, ${j.summary.inconclusive} inconclusive`
const history = join(work, 'history')
if (PARTS.includes('runs')) {
  say(`2) A/A separate runs: history seeded with ${SEED} x virtcheck bench ${BENCH_ARGS.join(' ')}, then ${GATES} x virtcheck gate history (confirm delay ${CONFIRM_S} s), each result added to the history`)
  const results = []
  for (let i = 0; i < SEED; i++) {
    const f = join(work, `run${i}.json`)
    const r = virtcheck(['bench', ...BENCH_ARGS, '--json', f], 400)
    if (r.code !== 0) say(`   seed ${i}: bench exit ${r.code} ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`)
    virtcheck(['history', 'add', f, '--dir', history])
    results.push(f)
  }
  let gateReg = 0
  let dropped = 0
  let gates = 0
  for (let i = SEED; i < SEED + GATES; i++) {
    const f = join(work, `run${i}.json`)
    const { j, error } = gateOnce(history, f)
    if (error) {
      say(`   gate ${i - SEED + 1}: FAILED ${error}`)
      continue
    }
    gates++
    const reg = j.cells.filter((c) => c.verdict === 'regressed')
    const notReproduced = j.cells.filter((c) => c.confirmation && c.verdict !== 'regressed')
    gateReg += reg.length
    dropped += notReproduced.length
    say(`   gate ${i - SEED + 1} (baseline ${j.base.runs} runs): ${countLine(j)}${reg.map((c) => `\n      ! ${verdictLine(c)}`).join('')}${notReproduced.map((c) => `\n      ~ did not reproduce: ${verdictLine({ ...c, verdict: 'first run regressed' })}`).join('')}`)
    virtcheck(['history', 'add', f, '--dir', history])
    results.push(f)
  }
  say(`   => A/A gate against the history: ${gateReg} confirmed regression(s) over ${gates} gated runs (${dropped} first-run regression(s) did not reproduce) — bar: 0 — ${gates > 0 && gateReg === 0 ? 'PASS' : gates === 0 ? 'NOT MEASURED' : 'FAIL'}`)

  let pairReg = 0
  let pairs = 0
  const flagged = []
  for (let i = 1; i < results.length; i++) {
    const r = virtcheck(['compare', results[i - 1], results[i], '--json', '-'])
    if (r.code !== 0 && r.code !== 1) continue
    const j = JSON.parse(r.stdout)
    pairs++
    const reg = j.cells.filter((c) => c.verdict === 'regressed')
    pairReg += reg.length
    flagged.push(...reg.map((c) => `run${i - 1} vs run${i}: ${verdictLine(c)}`))
  }
  say(`   for reference, the same runs compared pairwise (single-run baseline, no band, no confirmation): ${pairReg} regression(s) over ${pairs} pairs${flagged.map((l) => `\n      ! ${l}`).join('')}`)
  say()
}

// 3. planted slowdown. 50% is the issue's example; 20% is added because on a machine already
// contended (load > cores) a job gets less than half a CPU anyway, so a 50% quota may not bind.
const FSYNC_SHARE = PARTS.includes('planted') ? fsyncCpuShare() : Number.NaN
/** The not-CPU-bound jobs a quota of `quota`% must leave alone: those whose CPU share stays below it. */
const mustNotRegress = (quota) => NOT_CPU_BOUND.filter(() => FSYNC_SHARE < (quota / 100) * 0.9)
if (PARTS.includes('planted')) say(`io.fsync CPU share measured natively: ${(FSYNC_SHARE * 100).toFixed(0)}% of one CPU (user+sys / wall)`)
if (PARTS.includes('planted')) for (const quota of [50, 20]) {
  say(`3) planted slowdown: virtcheck ab --tier container --a cpu-quota=100 --b cpu-quota=${quota} --reps 10 (load now ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`)
  const r = virtcheck(['ab', '--tier', 'container', '--a', 'cpu-quota=100', '--b', `cpu-quota=${quota}`, '--jobs', JOBS, '--reps', '10', '--json', '-'])
  if (r.code === 0 || r.code === 1) {
    const j = JSON.parse(r.stdout)
    for (const c of j.cells) say(`   ${verdictLine(c)}`)
    const caught = CPU_BOUND.filter((job) => j.cells.some((c) => c.job === job && c.verdict === 'regressed'))
    const spared = mustNotRegress(quota)
    const wrong = spared.filter((job) => j.cells.some((c) => c.job === job && c.verdict === 'regressed'))
    const ok = caught.length === CPU_BOUND.length && wrong.length === 0
    const binds = NOT_CPU_BOUND.filter((job) => !spared.includes(job))
    say(`   => CPU-bound jobs caught: ${caught.length}/${CPU_BOUND.length} (${caught.join(', ')}); wrongly flagged: ${wrong.length} ${wrong.join(', ')}${binds.length ? ` (not judged: ${binds.join(', ')} uses more CPU than a ${quota}% quota allows, so slowing it is correct)` : ''} — ${ok ? 'PASS' : 'FAIL'}`)
  } else say(`   FAILED exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`)
  say()
}
// 3b. the planted slowdown as separate runs: a gate run with the quota against the unrestricted history.
if (PARTS.includes('planted') && PARTS.includes('runs')) {
  say(`3b) planted slowdown, separate runs: virtcheck gate history --tier-opt container.cpu-quota=50 --ignore-config cpuQuotaPct`)
  const { j, error } = gateOnce(history, join(work, 'planted.json'), ['--tier-opt', 'container.cpu-quota=50', '--ignore-config', 'cpuQuotaPct'])
  if (error) say(`   FAILED ${error}`)
  else {
    for (const c of j.cells) say(`   ${verdictLine(c)}${c.confirmation ? ` [confirmation: ${c.confirmation.verdict}]` : ''}`)
    const caught = CPU_BOUND.filter((job) => j.cells.some((c) => c.job === job && c.verdict === 'regressed'))
    const wrong = mustNotRegress(50).filter((job) => j.cells.some((c) => c.job === job && c.verdict === 'regressed'))
    const ok = caught.length === CPU_BOUND.length && wrong.length === 0
    say(`   => CPU-bound jobs caught and confirmed: ${caught.length}/${CPU_BOUND.length} (${caught.join(', ')}); wrongly flagged: ${wrong.length} ${wrong.join(', ')} — ${ok ? 'PASS' : 'FAIL'}`)
  }
  say()
}
// 4. a transient neighbour: the confirmation's job. A bounded disk-and-CPU load (dd with O_DSYNC, like
// another tenant's burst) runs during the first measurement of a gate only; the regressions it causes
// must not survive the confirmation run after CONFIRM_S seconds.
if (PARTS.includes('transient')) {
  if (!existsSync(join(history, 'index.json'))) {
    say(`4) (seeding a history: ${SEED} x bench)`)
    for (let i = 0; i < SEED; i++) {
      const f = join(work, `seed${i}.json`)
      virtcheck(['bench', ...BENCH_ARGS, '--json', f], 400)
      virtcheck(['history', 'add', f, '--dir', history])
    }
  }
  const BURST_S = 20
  say(`4) transient neighbour: ${BURST_S} s of dd oflag=dsync in a loop during the first run of virtcheck gate history (confirmation after ${CONFIRM_S} s)`)
  const burstFile = join(work, 'neighbour.dat')
  const neighbour = spawn('sh', ['-c', `end=$(($(date +%s)+${BURST_S})); while [ $(date +%s) -lt $end ]; do dd if=/dev/zero of="$0" bs=4k count=64 oflag=dsync status=none; done; rm -f "$0"`, burstFile], { stdio: 'ignore' })
  const { j, error } = gateOnce(history, join(work, 'transient.json'))
  neighbour.kill('SIGKILL')
  rmSync(burstFile, { force: true })
  if (error) say(`   FAILED ${error}`)
  else {
    const firstRegressed = j.cells.filter((c) => c.confirmation)
    for (const c of firstRegressed) say(`   first run: ${verdictLine({ ...c, verdict: 'regressed' })} -> after confirmation: ${c.verdict} (second run ${c.confirmation.verdict}, ${(c.confirmation.numbers.change * 100).toFixed(1)}%)`)
    const confirmed = j.cells.filter((c) => c.verdict === 'regressed')
    say(`   => ${firstRegressed.length} first-run regression(s) caused by the neighbour, ${confirmed.length} confirmed — bar: 0 confirmed${firstRegressed.length === 0 ? ' (NOT EXERCISED: the burst caused no first-run regression)' : ''} — ${confirmed.length === 0 ? 'PASS' : 'FAIL'}`)
  }
  say()
}
say(`total wall time ${((Date.now() - t0) / 1000).toFixed(0)} s; load after: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`)

rmSync(work, { recursive: true, force: true })
mkdirSync(join(root, 'benchmarks', 'results'), { recursive: true })
writeFileSync(join(root, 'benchmarks', 'results', 'regression-quality.txt'), lines.join('\n') + '\n')
