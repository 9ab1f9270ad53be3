#!/usr/bin/env node
// Holds the shape of a matrix run against the published anchors (docs/fidelity.md): container CPU and
// memory within 0.97-1.03 of native, TCG slowdowns per job class, virtio ahead of emulated devices for
// IO and network, syscall and context-switch costs ordered native/container < KVM < TCG, no emulated
// disk faster than the host's. Prints every ratio beside its band and the run's own 95% interval of it,
// and exits 1 when one lies outside its band, its interval too, without an explanation recorded in
// benchmarks/fidelity-explanations.json. A ratio outside whose interval reaches into the band is
// printed as 'outside, noise' and counted: on a shared host one run's noise can be wider than a band.
//
// Usage: node benchmarks/fidelity.mjs [--run RESULT.json ...] [--tiers a,b] [--jobs j,k] [--repeat N] [--save]
//        [--explanations F]
//   no --run: runs `virtcheck bench --quick` (with --tiers/--jobs when given) N times (default 1), checks each
//   --save:   writes the report to benchmarks/results/fidelity-<date>T<hhmm>Z.txt
// Exit codes: 0 no check outside beyond noise unexplained, 1 one is (or an order is inverted), 2 bad input.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const values = (name) => args.flatMap((a, i) => (a === name && args[i + 1] ? [args[i + 1]] : []))
const die = (msg) => {
  process.stderr.write(`fidelity: ${msg}\n`)
  process.exit(2)
}
// virtcheck's own statistics (the built tree), so an order of two interleaved tiers is judged as the run's ratios are
const { pairedRatio } = await import(path.join(ROOT, 'dist', 'src', 'stats', 'sample-summary.js')).catch(() =>
  die('virtcheck is not built here (dist/ is missing): run npm run build:ts first'),
)
for (const [i, a] of args.entries()) {
  const known = ['--run', '--tiers', '--jobs', '--repeat', '--save', '--explanations']
  if (a.startsWith('--') && !known.includes(a)) die(`unknown option ${a} (known: ${known.join(' ')})`)
  if (['--run', '--tiers', '--jobs', '--repeat', '--explanations'].includes(a) && !args[i + 1]) die(`${a} needs a value`)
}
const REPEAT = Number(values('--repeat')[0] ?? 1)
if (!Number.isInteger(REPEAT) || REPEAT < 1 || REPEAT > 20) die(`--repeat needs a whole number from 1 to 20, got ${values('--repeat')[0]}`)
const EXPLANATIONS = values('--explanations')[0] ?? path.join(ROOT, 'benchmarks', 'fidelity-explanations.json')

// ---- the bands (sources in docs/fidelity.md) ------------------------------------------------------------
// speed = tier / native in the metric's better direction (lower-is-better metrics inverted): 1 = native speed.
const CONTAINERS = ['container', 'docker', 'podman', 'lxc']
const KVM = ['kvm-virtio', 'kvm-emulated']
const TCG = ['tcg-virtio', 'tcg-emulated']
const EMULATED = [...KVM, ...TCG, 'emu-aarch64']
const IO_NET = (job) => job.startsWith('io.') || job.startsWith('net.')

/** [tiers, job test, metric test, low, high, source]: every cell that matches is held to the band. */
const BANDS = [
  [
    CONTAINERS,
    (j) => j === 'cpu.int' || j === 'cpu.fp',
    () => true,
    0.97,
    1.03,
    'containers share the kernel and CPU: Felter et al. 2014 Linpack 1.00',
  ],
  [CONTAINERS, (j) => j === 'mem.stream', () => true, 0.97, 1.03, 'Felter et al. 2014 STREAM (Docker 1.00)'],
  [
    KVM,
    (j) => j === 'cpu.int' || j === 'cpu.fp',
    () => true,
    0.9,
    1.03,
    'Felter 2014 Linpack tuned KVM 0.98, PXZ 0.82 tuned; Firecracker spec >95% compute',
  ],
  [KVM, (j) => j === 'mem.stream', () => true, 0.9, 1.03, 'Felter 2014 STREAM KVM 0.97-0.99'],
  [TCG, (j) => j === 'cpu.int', () => true, 0.1, 0.2, 'HQEMU (CGO 2012): QEMU TCG 6x slower on SPEC int (5-10x)'],
  [TCG, (j) => j === 'cpu.fp', () => true, 0.01, 0.2, 'HQEMU: TCG 8.4x on SPEC fp; tens of x on FP-heavy kernels (TU Berlin Linpack 68x)'],
  [
    ['emu-aarch64'],
    (j) => j === 'cpu.int',
    () => true,
    0.05,
    0.4,
    'cross-ISA qemu-user TCG; HQEMU 6x as the centre, widened for a foreign ISA (our choice)',
  ],
  [
    EMULATED,
    IO_NET,
    () => true,
    0,
    1.0,
    'an emulated device is not faster than the host path (Felter fio KVM 0.99-0.55; Firecracker fio 0.04-0.5)',
  ],
]

/** [job, metric, faster tier, slower tier, source]: the first must be at least as fast as the second. */
const ORDERS = [
  ...['kvm', 'tcg'].flatMap((acc) => [
    [
      'io.seq',
      '*',
      `${acc}-virtio`,
      `${acc}-emulated`,
      'virtio ahead of emulated devices (bench-anchors sanity table: "well below virtio")',
    ],
    ['io.rand', '*', `${acc}-virtio`, `${acc}-emulated`, 'virtio ahead of emulated devices'],
    ['io.fsync', '*', `${acc}-virtio`, `${acc}-emulated`, 'virtio ahead of emulated devices'],
    ['net.stream', '*', `${acc}-virtio`, `${acc}-emulated`, 'virtio-net ahead of an emulated NIC ("worse than virtio")'],
    ['net.rr', '*', `${acc}-virtio`, `${acc}-emulated`, 'virtio-net ahead of an emulated NIC'],
  ]),
  ...['sys.syscall', 'sys.ctxsw'].flatMap((job) => [
    [job, '*', 'native', 'tcg-virtio', 'syscall / context switch: native and containers ≈1.0, KVM ≈1.0, TCG worst'],
    [job, '*', 'container', 'tcg-virtio', 'the same ordering for the container'],
    [job, '*', 'kvm-virtio', 'tcg-virtio', 'the same ordering: KVM ahead of TCG'],
  ]),
]
/** Orders are checked with this tolerance: a 3% inversion is noise, not an inverted shape. */
const ORDER_SLACK = 0.97

// ---- input ------------------------------------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const readJson = (file, what) => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (e) {
    die(`${what} ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message.split('\n')[0]}`)
  }
}

const loadExplanations = () => {
  if (!fs.existsSync(EXPLANATIONS)) return []
  const list = readJson(EXPLANATIONS, 'explanations')
  if (!Array.isArray(list) || list.some((e) => typeof e?.check !== 'string' || typeof e?.why !== 'string'))
    die(`${EXPLANATIONS}: expected an array of {"check": "tier job metric" or a prefix, "why": "..."}`)
  return list
}

/**
 * Runs the quick bench and returns the run it saved under .virtcheck/runs (named after its start time);
 * the --json copy in a temporary folder is only how the run is found, and is removed.
 */
function benchQuick() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vc-fidelity-'))
  const out = path.join(tmp, 'quick.json')
  const tiers = values('--tiers')[0]
  const jobs = values('--jobs')[0]
  const argv = [
    path.join(ROOT, 'bin', 'virtcheck.js'),
    'bench',
    '--quick',
    ...(tiers ? ['--tiers', tiers] : []),
    ...(jobs ? ['--jobs', jobs] : []),
    '--json',
    out,
  ]
  process.stderr.write(`fidelity: node ${argv.join(' ')}\n`)
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'inherit'], timeout: 20 * 60_000 })
  if (r.error || !fs.existsSync(out)) {
    fs.rmSync(tmp, { recursive: true, force: true })
    die(`the quick bench did not produce a result: ${r.error?.message ?? `exit ${r.status}`}`)
  }
  const startedAt = String(readJson(out, 'run').startedAt ?? '')
  const saved = path.join(ROOT, '.virtcheck', 'runs', startedAt.replace(/[:.]/g, '-'), 'result.json')
  if (!fs.existsSync(saved)) return out // kept: the only copy
  fs.rmSync(tmp, { recursive: true, force: true })
  return saved
}

// ---- the checks ----------------------------------------------------------------------------------------
/** Median per (tier, job, metric) of the cells that worked; `better` for the direction. */
const cellsOf = (run) => {
  const m = new Map()
  for (const r of run.results ?? [])
    if (r.state === 'ok' && r.samples?.length) m.set(`${r.tier} ${r.job} ${r.metric}`, { ...r, median: median(r.samples) })
  return m
}
/** The run's own ratio (ratioToNative: the median of pair ratios for interleaved tiers), else the medians'. */
const speed = (t, n) => {
  const r = t.ratioToNative?.value
  if (r > 0) return t.better === 'lower' ? 1 / r : r
  return t.better === 'lower' ? n.median / t.median : t.median / n.median
}
/**
 * The 95% interval of that speed, from the ratio the run itself reports (ratioToNative: paired bootstrap
 * for interleaved tiers, independent otherwise); undefined when the run has none.
 */
const speedCi = (t) => {
  const ci = t.ratioToNative?.ci95
  if (!Array.isArray(ci) || !(ci[0] > 0) || !(ci[1] > 0)) return undefined
  return t.better === 'lower' ? [1 / ci[1], 1 / ci[0]] : [ci[0], ci[1]]
}

/**
 * How far the per-repetition ratios scatter when the tier ran interleaved with native (its k-th sample
 * right after native's k-th, on one CPU): the quartiles say whether the band could be held at all.
 */
const pairedSpread = (run, t, n) => {
  const together = run.tiers.find((x) => x.tier === t.tier)?.interleavedWith?.includes('native')
  const k = Math.min(t.samples.length, n.samples.length)
  if (!together || k < 4) return ''
  const q = Array.from({ length: k }, (_, i) => (t.better === 'lower' ? n.samples[i] / t.samples[i] : t.samples[i] / n.samples[i])).sort(
    (a, b) => a - b,
  )
  const at = (f) => q[Math.min(k - 1, Math.floor(f * (k - 1) + 0.5))]
  return `  per-repetition quartiles ${at(0.25).toFixed(2)}–${at(0.75).toFixed(2)} (n ${k})`
}

function check(run, explanations) {
  const cells = cellsOf(run)
  const rows = []
  const explain = (key) => explanations.find((e) => key === e.check || key.startsWith(`${e.check} `))?.why
  for (const [key, t] of cells) {
    if (t.tier === 'native') continue
    const n = cells.get(`native ${t.job} ${t.metric}`)
    if (!n) continue
    for (const [tiers, jobOk, metricOk, lo, hi, source] of BANDS) {
      if (!tiers.includes(t.tier) || !jobOk(t.job) || !metricOk(t.metric)) continue
      const v = speed(t, n)
      const inside = v >= lo && v <= hi
      const ci = speedCi(t)
      // outside, but the run's own 95% interval reaches into the band: this run cannot tell it from noise
      const noise = !inside && ci !== undefined && ci[1] >= lo && ci[0] <= hi
      rows.push({
        key,
        kind: 'band',
        value: v,
        text: `[${lo}, ${hi}]${ci ? `  95% ${ci[0].toFixed(2)}–${ci[1].toFixed(2)}` : ''}${pairedSpread(run, t, n)}`,
        inside,
        noise,
        why: inside ? undefined : explain(key),
        source,
      })
    }
  }
  for (const [job, , fast, slow, source] of ORDERS) {
    for (const f of cells.values()) {
      if (f.tier !== fast || f.job !== job) continue
      const s = cells.get(`${slow} ${job} ${f.metric}`)
      const n = cells.get(`native ${job} ${f.metric}`)
      if (!s) continue
      // measured apart, an order can say more about the minutes between the two tiers than about them
      const together = run.tiers?.find((x) => x.tier === fast)?.interleavedWith?.includes(slow)
      // interleaved: the median of the pair ratios (repetition k of one right after k of the other) and
      // its 95% interval, as for a band; apart: both as speeds relative to native when native has the
      // cell, else the raw ratio, and no interval
      const paired = together ? (f.better === 'lower' ? pairedRatio(s.samples, f.samples) : pairedRatio(f.samples, s.samples)) : undefined
      const v = paired ? paired.value : n ? speed(f, n) / speed(s, n) : f.better === 'lower' ? s.median / f.median : f.median / s.median
      const ci = paired?.ci95
      const inside = v >= ORDER_SLACK
      const noise = !inside && ci !== undefined && ci[1] >= ORDER_SLACK
      const name = `${fast} ≥ ${slow} ${job} ${f.metric}`
      rows.push({
        key: name,
        kind: 'order',
        value: v,
        text: `≥ ${ORDER_SLACK} (${fast} at least as fast; ${
          ci ? `interleaved, pair ratios  95% ${ci[0].toFixed(2)}–${ci[1].toFixed(2)}` : together ? 'interleaved' : 'measured apart'
        })`,
        inside,
        noise,
        why: inside ? undefined : explain(name),
        source,
      })
    }
  }
  return rows
}

// ---- report ---------------------------------------------------------------------------------------------
const runs = values('--run')
const files = runs.length > 0 ? runs : Array.from({ length: REPEAT }, () => benchQuick())
const explanations = loadExplanations()
const out = []
let unexplained = 0
let noisy = 0
let checked = 0
out.push(`virtcheck fidelity: the matrix's shape against the anchors (docs/fidelity.md)`)
out.push(
  `date: ${new Date().toISOString()}   host: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} CPUs, load avg now ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
)
out.push(`explanations: ${path.relative(ROOT, EXPLANATIONS)} (${explanations.length})`)
out.push(
  "ratio = tier ÷ native as the run reports it (interleaved tiers: median of the pair ratios), in the metric's better direction (1 = native speed; < 1 slower); order = speed of the first ÷ the second (two interleaved tiers: the median of their pair ratios, with its 95% interval)",
)
for (const file of files) {
  const run = readJson(file, 'run')
  if (run?.schema !== 'virtcheck-run') die(`${file}: not a virtcheck run report (schema ${JSON.stringify(run?.schema)})`)
  out.push('')
  out.push(
    `run ${path.relative(process.cwd(), file)}: started ${run.startedAt}, host ${run.host?.hostname}, mode ${run.reproduce?.settings?.mode ?? run.reproduce?.mode}`,
  )
  if (Array.isArray(run.reproduce?.argv))
    out.push(
      `  command: virtcheck ${run.reproduce.argv.length ? run.reproduce.argv.join(' ') : '(the main job: probe, quick matrix, reports)'}`,
    )
  out.push(`  tiers: ${run.tiers.map((t) => `${t.tier} (${t.state})`).join(', ')}`)
  const rows = check(run, explanations)
  checked += rows.length
  if (rows.length === 0) out.push('  no check applies: the run needs native and at least one other tier')
  for (const r of rows) {
    const state = r.inside ? 'ok' : r.why ? 'outside, explained' : r.noise ? 'outside, noise' : 'OUTSIDE'
    if (!r.inside && !r.why && !r.noise) unexplained++
    if (!r.inside && !r.why && r.noise) noisy++
    out.push(`  ${state.padEnd(18)} ${r.key.padEnd(44)} ${r.value.toFixed(3).padStart(7)}  ${r.text}`)
    if (!r.inside) out.push(`  ${''.padEnd(18)} ${r.why ? `why: ${r.why}` : `expected from: ${r.source}`}`)
  }
  const outside = rows.filter((r) => !r.inside)
  const bare = outside.filter((r) => !r.why)
  out.push(
    `  ${rows.length} checks: ${rows.length - outside.length} inside, ${outside.length - bare.length} outside with an explanation, ${bare.length} outside without` +
      ` (${bare.filter((r) => r.noise).length} of them within the run's own 95% interval, ${bare.filter((r) => !r.noise).length} beyond it)`,
  )
}
out.push('')
const failed = unexplained > 0 || checked === 0
out.push(
  checked === 0
    ? 'FAIL: nothing was checked (no run had native and another tier)'
    : unexplained === 0
      ? `PASS: none of ${checked} ratios outside its band beyond the run's noise without an explanation (${noisy} outside within noise)`
      : `FAIL: ${unexplained} of ${checked} ratio(s) outside their band beyond the run's noise, without an explanation`,
)
const text = out.join('\n') + '\n'
process.stdout.write(text)
if (args.includes('--save')) {
  const f = path.join(ROOT, 'benchmarks', 'results', `fidelity-${new Date().toISOString().slice(0, 16).replace(':', '')}Z.txt`)
  fs.writeFileSync(f, text)
  process.stderr.write(`fidelity: written to ${f}\n`)
}
process.exit(failed ? 1 : 0)
