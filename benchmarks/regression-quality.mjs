#!/usr/bin/env node
// Quality bars of the regression gate, measured on this machine (issue 6). Prints the figures and
// saves them to benchmarks/results/regression-quality.txt.
//
// 1. A/A, interleaved: `virtcheck ab` with identical option sets, N times (default 10): regressions
//    reported must be 0.
// 2. A/A, separate runs, the way CI makes them: a history seeded with 3 bench runs, then 10 x
//    `virtcheck gate history` (each result added afterwards): confirmed regressions must be 0. The same
//    runs compared pairwise are printed for reference (what a single-run baseline says).
//    2r: the same, relative to native (`--tiers native,container`, `--relative-to native`).
// 3. Planted slowdown: built-in container with a cgroup CPU quota of 50% of one CPU (B) against 100%
//    (A), interleaved (`ab`, also at 20%) and as a separate gated run against the history (3b; 3c
//    relative to native). What
//    the quota does to each job is first measured natively (vcwork in a cgroup with the same quota):
//    jobs it slows by >= 10% must be regressions, jobs it moves by < 5% must not be flagged.
// 4. A transient neighbour (20 s of dd oflag=dsync) during the first run of a gate: whatever it slows
//    must not survive the confirmation run (4r: relative to native).
//
// Bounded: quick job parameters, 5 jobs, 6 repetitions per side. Needs root (container tier) and the
// built vcwork (`npm run build:native`).
// Usage: node benchmarks/regression-quality.mjs [--aa N] [--seed K] [--gates N] [--confirm-delay S] [--confirm-runs N] [--parts aa,runs,runs-rel,planted,transient]
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
const PARTS = partsArg > 0 ? (process.argv[partsArg + 1] ?? '').split(',') : ['aa', 'runs', 'runs-rel', 'planted', 'transient']
const AA_RUNS = arg('--aa', 10)
const SEED = arg('--seed', 3)
const GATES = arg('--gates', 10)
const CONFIRM_S = arg('--confirm-delay', 30)
const CONFIRM_RUNS = arg('--confirm-runs', 2)
const JOBS = 'cpu.int,cpu.fp,sys.syscall,io.fsync,mem.stream'
// the default thresholds of `ab` and of `gate`/`compare` between separate runs
const AB_THRESHOLD = 0.05
const GATE_THRESHOLD = 0.1
// The planted-quota bars need to know what the quota really does to each job on this host, measured
// without virtcheck's comparison: vcwork runs natively, alternately inside and outside a cgroup with
// the same CFS quota (PAIRS pairs, quick parameters), and the median change of each metric is the
// expected effect. A job slowed by at least twice the ab threshold must be caught; a job moved by less
// than the threshold must not be flagged; in between is not judged (reported). Why measure rather than
// assume: mem.stream is single-threaded and runs 100% on the CPU, yet STREAM reports its best pass, and
// a quota pauses the process between passes more than inside one: the best pass barely moves
// (io.fsync mostly waits on the disk, so a quota binds it only below its CPU share).
const PAIRS = 4
const VCWORK = join(root, 'build', 'native', process.arch === 'arm64' ? 'aarch64' : 'x86_64', 'vcwork')
const QUICK_ARGS = { 'cpu.fp': ['--n', '256'], 'mem.stream': ['--size-mb', '32'] }
/** The cgroup directory for a CFS quota of `pct`% of one CPU (v2 cpu.max, else v1 cpu.cfs_quota_us). */
const makeQuotaCgroup = (pct) => {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
  const v2 = mounts.find((f) => f[f.indexOf('-') + 1] === 'cgroup2')?.[4]
  if (v2 && readFileSync(join(v2, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) {
    writeFileSync(join(v2, 'cgroup.subtree_control'), '+cpu')
    const dir = mkdtempSync(join(v2, 'virtcheck-quality-'))
    writeFileSync(join(dir, 'cpu.max'), `${pct * 1000} 100000`)
    return dir
  }
  const v1 = mounts.find((f) => f[f.indexOf('-') + 1] === 'cgroup' && (f[f.indexOf('-') + 3] ?? '').split(',').includes('cpu'))?.[4]
  if (!v1) throw new Error('no cgroup cpu controller (v1 or v2) to plant a quota in')
  const dir = mkdtempSync(join(v1, 'virtcheck-quality-'))
  writeFileSync(join(dir, 'cpu.cfs_period_us'), '100000')
  writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(pct * 1000))
  return dir
}
const vcworkMedians = (job, cgroup, scratch) => {
  const args = ['run', job, '--reps', '5', '--target-ms', '200', '--target', scratch, ...(QUICK_ARGS[job] ?? [])]
  const cmd = cgroup ? ['bash', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup, VCWORK, ...args]] : [VCWORK, args]
  const r = spawnSync(cmd[0], cmd[1], { encoding: 'utf8', timeout: 120_000 })
  const samples = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((x) => x.type === 'sample')
  const out = {}
  for (const x of samples) (out[x.metric] ??= { better: x.better, values: [] }).values.push(x.value)
  return out
}
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b)
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2
}
/** job -> { slowdown: the worst metric's change in its worse direction (0.5 = 50% worse), line } */
const nativeQuotaEffect = (pct) => {
  const cgroup = makeQuotaCgroup(pct)
  const scratch = mkdtempSync(join(tmpdir(), 'virtcheck-quality-scratch-'))
  try {
    const effect = {}
    for (const job of JOBS.split(',')) {
      const free = {}
      const held = {}
      for (let i = 0; i < PAIRS; i++) {
        for (const [side, cg] of [
          [free, undefined],
          [held, cgroup],
        ]) {
          for (const [m, { better, values }] of Object.entries(vcworkMedians(job, cg, scratch)))
            (side[m] ??= { better, medians: [] }).medians.push(median(values))
        }
      }
      const perMetric = Object.entries(free).map(([m, { better, medians }]) => {
        const change = median(held[m]?.medians ?? [NaN]) / median(medians) - 1
        return { m, change, worse: better === 'higher' ? -change : change }
      })
      const worst = perMetric.reduce((a, b) => (b.worse > a.worse ? b : a), { worse: -Infinity })
      effect[job] = { slowdown: worst.worse, line: perMetric.map((x) => `${x.m} ${(x.change * 100).toFixed(1)}%`).join(', ') }
    }
    return effect
  } finally {
    rmSync(scratch, { recursive: true, force: true })
    spawnSync('rmdir', [cgroup])
  }
}
/**
 * Which jobs a quota must be caught on, must be left alone on, or is not judged on, from the native
 * effect measured before and after the comparison: both must agree. io.fsync shows why: its CPU share
 * depends on how fast the disk is at the moment (measured: a 20% quota slowed it +54% while fsync took
 * 155 µs, and not at all while the disk was slower), so its expectation can change during a test.
 */
const expectations = (before, after, threshold) => {
  const jobs = Object.keys(before)
  const both = (f) => jobs.filter((j) => after[j] !== undefined && f(before[j].slowdown) && f(after[j].slowdown))
  const mustCatch = both((x) => x >= 2 * threshold)
  const mustSpare = both((x) => Math.abs(x) < threshold)
  return { mustCatch, mustSpare, notJudged: jobs.filter((j) => !mustCatch.includes(j) && !mustSpare.includes(j)) }
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

const countLine = (j) =>
  `${j.summary.regressed} regressed, ${j.summary.improved} improved, ${j.summary.unchanged} unchanged, ${j.summary.inconclusive} inconclusive`

const t0 = Date.now()
say(`virtcheck regression quality — ${new Date().toISOString()}`)
say(
  `host: ${execFileSync('uname', ['-nr'], { encoding: 'utf8' }).trim()}, load before: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
)
say(
  `decision rule: defaults (alpha 0.01; threshold 5% for ab, 10% for compare/gate of separate runs; gate: run-to-run band ±3 scaled MADs of the history's run medians, confirmation: ${CONFIRM_RUNS} re-measurement(s), each after ${CONFIRM_S} s); jobs ${JOBS}, quick params, 6 reps/side`,
)
say()

// 1. interleaved A/A
if (PARTS.includes('aa')) {
  say(`1) A/A interleaved: virtcheck ab --tier container --a '' --b '' (x${AA_RUNS})`)
  let aaReg = 0
  let aaCells = 0
  let aaInconclusive = 0
  let aaImproved = 0
  for (let i = 0; i < AA_RUNS; i++) {
    const r = virtcheck(['ab', '--tier', 'container', '--a', '', '--b', '', '--jobs', JOBS, '--reps', '6', '--json', '-'])
    if (r.code !== 0 && r.code !== 1) {
      say(`   run ${i + 1}: FAILED exit ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`)
      continue
    }
    const j = JSON.parse(r.stdout)
    const reg = j.cells.filter((c) => c.verdict === 'regressed')
    // an A/A "improved" is the same false signal in the other direction: not the bar, but printed
    const imp = j.cells.filter((c) => c.verdict === 'improved')
    aaReg += reg.length
    aaImproved += imp.length
    aaCells += j.cells.length
    aaInconclusive += j.cells.filter((c) => c.verdict === 'inconclusive').length
    say(
      `   run ${i + 1}: ${countLine(j)}${[...reg, ...imp].map((c) => `\n      ${c.verdict === 'regressed' ? '!' : '+'} ${verdictLine(c)}`).join('')}`,
    )
  }
  say(
    `   => A/A interleaved: ${aaReg} regression(s) in ${aaCells} cells over ${AA_RUNS} comparisons (${aaImproved} improved, ${aaInconclusive} inconclusive) — bar: 0 regressions — ${aaReg === 0 ? 'PASS' : 'FAIL'}`,
  )
  say()
}

// 2. separate runs, as a nightly CI job on the default branch makes them: a history seeded with
// SEED plain bench runs, then GATES x `virtcheck gate history` (bench + compare with the history's
// run-to-run band + confirmation of each regression after CONFIRM_S), each result added to the history
// afterwards. The same runs are also compared pairwise (each with the one before), the single-run
// baseline that cannot see run-to-run noise, to show what the band and the confirmation remove.
// Two modes: absolute (the container tier's own figures) and relative (`--relative-to native`: the
// container's ratio to native measured interleaved in the same run), each with its own history.
const MODES = {
  absolute: { bench: ['--tiers', 'container', '--jobs', JOBS, '--quick', '--reps', '6'], compare: [], history: join(work, 'history') },
  relative: {
    bench: ['--tiers', 'native,container', '--jobs', JOBS, '--quick', '--reps', '6'],
    compare: ['--relative-to', 'native'],
    history: join(work, 'history-relative'),
  },
}
const gateOnce = (mode, result, extra = []) => {
  const out = join(work, `gate-${Date.now()}.json`)
  const { bench, compare, history } = MODES[mode]
  const r = virtcheck(
    [
      'gate',
      history,
      ...bench,
      ...compare,
      '--confirm-delay',
      String(CONFIRM_S),
      '--confirm-runs',
      String(CONFIRM_RUNS),
      '--result',
      result,
      '--json',
      out,
      ...extra,
    ],
    900,
  )
  if (r.code !== 0 && r.code !== 1) return { error: `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}` }
  return { j: JSON.parse(readFileSync(out, 'utf8')) }
}
const seedHistory = (mode, prefix) => {
  const { bench, history } = MODES[mode]
  const results = []
  for (let i = 0; i < SEED; i++) {
    const f = join(work, `${prefix}${i}.json`)
    const r = virtcheck(['bench', ...bench, '--json', f], 600)
    if (r.code !== 0) say(`   seed ${i}: bench exit ${r.code} ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`)
    virtcheck(['history', 'add', f, '--dir', history])
    results.push(f)
  }
  return results
}
const separateRuns = (mode, number) => {
  const { bench, compare, history } = MODES[mode]
  say(
    `${number}) A/A separate runs, ${mode}${compare.length ? ` (${compare.join(' ')})` : ''}: history seeded with ${SEED} x virtcheck bench ${bench.join(' ')}, then ${GATES} x virtcheck gate history (${CONFIRM_RUNS} confirmation run(s) after ${CONFIRM_S} s each), each result added to the history`,
  )
  const results = seedHistory(mode, `${mode}-run`)
  let gateReg = 0
  let dropped = 0
  let gates = 0
  for (let i = SEED; i < SEED + GATES; i++) {
    const f = join(work, `${mode}-run${i}.json`)
    const { j, error } = gateOnce(mode, f)
    if (error) {
      say(`   gate ${i - SEED + 1}: FAILED ${error}`)
      continue
    }
    gates++
    const reg = j.cells.filter((c) => c.verdict === 'regressed')
    const notReproduced = j.cells.filter((c) => c.confirmation && c.verdict !== 'regressed')
    gateReg += reg.length
    dropped += notReproduced.length
    say(
      `   gate ${i - SEED + 1} (baseline ${j.base.runs} runs): ${countLine(j)}${reg.map((c) => `\n      ! ${verdictLine(c)}`).join('')}${j.cells
        .filter((c) => c.verdict === 'improved')
        .map((c) => `\n      + ${verdictLine(c)}`)
        .join(
          '',
        )}${notReproduced.map((c) => `\n      ~ did not reproduce: ${verdictLine({ ...c, verdict: 'first run regressed' })}`).join('')}`,
    )
    virtcheck(['history', 'add', f, '--dir', history])
    results.push(f)
  }
  say(
    `   => A/A gate against the history, ${mode}: ${gateReg} confirmed regression(s) over ${gates} gated runs (${dropped} first-run regression(s) did not reproduce) — bar: 0 — ${gates > 0 && gateReg === 0 ? 'PASS' : gates === 0 ? 'NOT MEASURED' : 'FAIL'}`,
  )

  let pairReg = 0
  let pairs = 0
  const flagged = []
  for (let i = 1; i < results.length; i++) {
    const r = virtcheck(['compare', results[i - 1], results[i], ...compare, '--json', '-'])
    if (r.code !== 0 && r.code !== 1) continue
    const j = JSON.parse(r.stdout)
    pairs++
    const reg = j.cells.filter((c) => c.verdict === 'regressed')
    pairReg += reg.length
    flagged.push(...reg.map((c) => `run${i - 1} vs run${i}: ${verdictLine(c)}`))
  }
  say(
    `   for reference, the same runs compared pairwise (single-run baseline, no band, no confirmation): ${pairReg} regression(s) over ${pairs} pairs${flagged.map((l) => `\n      ! ${l}`).join('')}`,
  )
  say()
}
if (PARTS.includes('runs')) separateRuns('absolute', '2')
if (PARTS.includes('runs-rel')) separateRuns('relative', '2r')

// 3. planted slowdown. 50% is the issue's example; 20% is added because on a machine already
// contended (load > cores) a job gets less than half a CPU anyway, so a 50% quota may not bind.
const verdictBar = (j, expect, what) => {
  const regressed = (job) => j.cells.some((c) => c.job === job && c.verdict === 'regressed')
  const caught = expect.mustCatch.filter(regressed)
  const wrong = expect.mustSpare.filter(regressed)
  const ok = expect.mustCatch.length > 0 && caught.length === expect.mustCatch.length && wrong.length === 0
  return `   => ${what}: ${caught.length}/${expect.mustCatch.length} (${caught.join(', ')}); wrongly flagged: ${wrong.length}${wrong.length ? ` (${wrong.join(', ')})` : ''} of ${expect.mustSpare.length} the quota leaves alone (${expect.mustSpare.join(', ') || 'none'})${
    expect.notJudged.length
      ? `; not judged: ${expect.notJudged.map((x) => `${x} ${j.cells.some((c) => c.job === x && c.verdict === 'regressed') ? 'regressed' : 'not regressed'}`).join(', ')}`
      : ''
  } — ${ok ? 'PASS' : 'FAIL'}`
}
const lastEffectAt = {}
if (PARTS.includes('planted'))
  for (const quota of [50, 20]) {
    const before = nativeQuotaEffect(quota)
    say(
      `3) planted slowdown, quota ${quota}%. What the quota does natively (vcwork in a cgroup with the same quota vs without, ${PAIRS} alternating pairs, median change), before the comparison:`,
    )
    for (const [job, e] of Object.entries(before)) say(`   ${job}: ${e.line}`)
    say(
      `   virtcheck ab --tier container --a cpu-quota=100 --b cpu-quota=${quota} --reps 10 (load now ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`,
    )
    const r = virtcheck([
      'ab',
      '--tier',
      'container',
      '--a',
      'cpu-quota=100',
      '--b',
      `cpu-quota=${quota}`,
      '--jobs',
      JOBS,
      '--reps',
      '10',
      '--json',
      '-',
    ])
    const after = nativeQuotaEffect(quota)
    say(
      `   the native effect again, after the comparison: ${Object.entries(after)
        .map(([job, e]) => `${job} ${e.line}`)
        .join('; ')}`,
    )
    lastEffectAt[quota] = after
    const ex = expectations(before, after, AB_THRESHOLD)
    say(
      `   expected (before and after agree): regressed ${ex.mustCatch.join(', ') || 'none'} (slowed >= ${2 * AB_THRESHOLD * 100}%); not flagged ${ex.mustSpare.join(', ') || 'none'} (moved < ${AB_THRESHOLD * 100}%); not judged ${ex.notJudged.join(', ') || 'none'}`,
    )
    if (r.code === 0 || r.code === 1) {
      const j = JSON.parse(r.stdout)
      for (const c of j.cells) say(`   ${verdictLine(c)}`)
      say(verdictBar(j, ex, 'slowed jobs caught'))
    } else say(`   FAILED exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`)
    say()
  }
// 3b. the planted slowdown as separate runs: a gate run with the quota against the unrestricted history.
for (const [mode, part, number] of [
  ['absolute', 'runs', '3b'],
  ['relative', 'runs-rel', '3c'],
]) {
  if (!PARTS.includes('planted') || !PARTS.includes(part)) continue
  say(
    `${number}) planted slowdown, separate runs, ${mode}: virtcheck gate history ${MODES[mode].compare.join(' ')} --tier-opt container.cpu-quota=50 --ignore-config cpuQuotaPct (threshold 10%)`,
  )
  const { j, error } = gateOnce(mode, join(work, `planted-${mode}.json`), [
    '--tier-opt',
    'container.cpu-quota=50',
    '--ignore-config',
    'cpuQuotaPct',
  ])
  if (error) say(`   FAILED ${error}`)
  else {
    for (const c of j.cells) say(`   ${verdictLine(c)}${c.confirmation ? ` [last confirmation: ${c.confirmation.verdict}]` : ''}`)
    const after = nativeQuotaEffect(50)
    say(
      `   the native effect of a 50% quota after this gate: ${Object.entries(after)
        .map(([job, e]) => `${job} ${e.line}`)
        .join('; ')}`,
    )
    const ex = expectations(lastEffectAt[50] ?? after, after, GATE_THRESHOLD)
    lastEffectAt[50] = after
    say(
      `   expected (the native effect before and after this gate agree): regressed ${ex.mustCatch.join(', ') || 'none'} (slowed >= ${2 * GATE_THRESHOLD * 100}%); not flagged ${ex.mustSpare.join(', ') || 'none'} (moved < ${GATE_THRESHOLD * 100}%); not judged ${ex.notJudged.join(', ') || 'none'}`,
    )
    say(verdictBar(j, ex, 'slowed jobs caught and confirmed'))
  }
  say()
}
// 4. a transient neighbour: the confirmation's job. A bounded disk-and-CPU load (dd with O_DSYNC, like
// another tenant's burst) runs during the first measurement of a gate only; the regressions it causes
// must not survive the confirmation run after CONFIRM_S seconds.
const transient = (mode, number) => {
  const { history } = MODES[mode]
  if (!existsSync(join(history, 'index.json'))) {
    say(`${number}) (seeding a history: ${SEED} x bench)`)
    seedHistory(mode, `${mode}-seed`)
  }
  const BURST_S = 20
  say(
    `${number}) transient neighbour, ${mode}: ${BURST_S} s of dd oflag=dsync in a loop during the first run of virtcheck gate history ${MODES[mode].compare.join(' ')} (${CONFIRM_RUNS} confirmation run(s), each after ${CONFIRM_S} s)`,
  )
  const burstFile = join(work, 'neighbour.dat')
  const neighbour = spawn(
    'sh',
    [
      '-c',
      `end=$(($(date +%s)+${BURST_S})); while [ $(date +%s) -lt $end ]; do dd if=/dev/zero of="$0" bs=4k count=64 oflag=dsync status=none; done; rm -f "$0"`,
      burstFile,
    ],
    { stdio: 'ignore' },
  )
  const { j, error } = gateOnce(mode, join(work, `transient-${mode}.json`))
  neighbour.kill('SIGKILL')
  rmSync(burstFile, { force: true })
  if (error) say(`   FAILED ${error}`)
  else {
    const firstRegressed = j.cells.filter((c) => c.confirmation)
    for (const c of firstRegressed)
      say(
        `   first run: ${verdictLine({ ...c, verdict: 'regressed' })} -> after confirmation: ${c.verdict} (last confirmation run ${c.confirmation.verdict}, ${(c.confirmation.numbers.change * 100).toFixed(1)}%)`,
      )
    const confirmed = j.cells.filter((c) => c.verdict === 'regressed')
    say(
      `   => ${firstRegressed.length} first-run regression(s) caused by the neighbour, ${confirmed.length} confirmed — bar: 0 confirmed${firstRegressed.length === 0 ? ' (NOT EXERCISED: the burst caused no first-run regression)' : ''} — ${confirmed.length === 0 ? 'PASS' : 'FAIL'}`,
    )
  }
  say()
}
if (PARTS.includes('transient')) transient('absolute', '4')
if (PARTS.includes('transient') && PARTS.includes('runs-rel')) transient('relative', '4r')
say(
  `total wall time ${((Date.now() - t0) / 1000).toFixed(0)} s; load after: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
)

rmSync(work, { recursive: true, force: true })
mkdirSync(join(root, 'benchmarks', 'results'), { recursive: true })
writeFileSync(join(root, 'benchmarks', 'results', 'regression-quality.txt'), lines.join('\n') + '\n')
