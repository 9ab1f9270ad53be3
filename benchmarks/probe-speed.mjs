#!/usr/bin/env node
// How long `virtcheck probe` (terminal) and `virtcheck probe --json -` take on this machine, side by
// side with virt-host-validate (libvirt-clients) in one run: the commands are interleaved round by
// round, so load from other processes hits all of them alike, and the peer ratio (virtcheck median /
// virt-host-validate median) is reported next to the absolute medians. Target: median <= 150 ms.
// Measures the built CLI (`npm run build` first). `--baseline DIR` adds another built checkout's
// `probe --json -` (e.g. the main branch) to the same rounds. When NODE_EXTRA_CA_CERTS is set, Node
// parses that certificate file at every start, before any JavaScript runs (Node 20; ~55 ms CPU for
// Debian's 150-certificate bundle on a 2-CPU VM): two more rows show node and the probe without it.
// `--executable FILE` adds the self-contained executable's `probe` and `probe --json -` (npm run package).
// Usage: node benchmarks/probe-speed.mjs [--runs N] [--baseline DIR] [--executable FILE]
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const runsArg = process.argv.indexOf('--runs')
const N = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15
if (!(Number.isInteger(N) && N >= 7 && N <= 200)) {
  console.error('--runs must be an integer from 7 to 200 (medians over at least 7 runs)')
  process.exit(2)
}
const bin = `${root}bin/virtcheck.js`
if (!existsSync(`${root}dist/src/cli/entry.js`)) {
  console.error('virtcheck is not built: run `npm run build` first')
  process.exit(2)
}
const TARGET_MS = 150

const baseArg = process.argv.indexOf('--baseline')
const baseline = baseArg > 0 ? process.argv[baseArg + 1] : undefined
if (baseline !== undefined && !existsSync(`${baseline}/bin/virtcheck.js`)) {
  console.error(`--baseline ${baseline}: no bin/virtcheck.js there`)
  process.exit(2)
}
const exeArg = process.argv.indexOf('--executable')
const executable = exeArg > 0 ? process.argv[exeArg + 1] : undefined
if (executable !== undefined && !existsSync(executable)) {
  console.error(`--executable ${executable}: no such file (npm run package builds it)`)
  process.exit(2)
}
const extraCerts = process.env.NODE_EXTRA_CA_CERTS
const noCerts = (() => {
  const { NODE_EXTRA_CA_CERTS: _drop, ...rest } = process.env
  return rest
})()
const vhv = spawnSync('sh', ['-c', 'command -v virt-host-validate'], { encoding: 'utf8' }).stdout.trim()
const subjects = [
  { label: 'node startup (node -e 0)', cmd: process.execPath, args: ['-e', '0'] },
  { label: 'virtcheck probe', cmd: process.execPath, args: [bin, 'probe'] },
  { label: 'virtcheck probe --json -', cmd: process.execPath, args: [bin, 'probe', '--json', '-'] },
  ...(vhv ? [{ label: 'virt-host-validate', cmd: vhv, args: [] }] : []),
  ...(baseline
    ? [{ label: 'baseline probe --json -', cmd: process.execPath, args: [`${baseline}/bin/virtcheck.js`, 'probe', '--json', '-'] }]
    : []),
  ...(executable
    ? [
        { label: 'executable probe', cmd: executable, args: ['probe'] },
        { label: 'executable probe --json -', cmd: executable, args: ['probe', '--json', '-'] },
      ]
    : []),
  ...(extraCerts
    ? [
        { label: 'node -e 0, no extra CA certs', cmd: process.execPath, args: ['-e', '0'], env: noCerts },
        { label: 'probe, no extra CA certs', cmd: process.execPath, args: [bin, 'probe'], env: noCerts },
      ]
    : []),
]

// CPU time (user+sys, the command and its children) through GNU time when present: on a machine
// shared with other work, wall time mostly measures the queue for a CPU, CPU time much less so.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined
const time = (s) => {
  const t = process.hrtime.bigint()
  const r = gnuTime
    ? spawnSync(gnuTime, ['-f', 'VCTIME %U %S', s.cmd, ...s.args], {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...(s.env ?? process.env), NO_COLOR: '1' },
      })
    : spawnSync(s.cmd, s.args, { stdio: 'ignore', timeout: 60_000, env: { ...(s.env ?? process.env), NO_COLOR: '1' } })
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  const m = gnuTime ? /VCTIME ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '') : null
  return {
    ms,
    cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined,
    ok: r.error === undefined && r.status !== null && (!gnuTime || m !== null),
    status: r.status,
  }
}

for (const s of subjects) time(s) // warm the page cache and virtcheck's tool cache
const samples = new Map(subjects.map((s) => [s.label, []]))
const cpuSamples = new Map(subjects.map((s) => [s.label, []]))
const failures = new Map()
const loadBefore = loadavg()[0]
for (let i = 0; i < N; i++)
  for (const s of subjects) {
    const r = time(s)
    if (!r.ok) failures.set(s.label, `did not finish (status ${r.status})`)
    samples.get(s.label).push(r.ms)
    if (r.cpuMs !== undefined) cpuSamples.get(s.label).push(r.cpuMs)
  }
const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y)
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2
}
const stats = new Map(
  [...samples].map(([k, xs]) => [
    k,
    {
      median: median(xs),
      min: Math.min(...xs),
      max: Math.max(...xs),
      cpu: cpuSamples.get(k).length ? median(cpuSamples.get(k)) : undefined,
    },
  ]),
)

console.log(
  `probe speed, ${N} interleaved rounds (load average ${loadBefore.toFixed(2)} -> ${loadavg()[0].toFixed(2)}, ${cpus().length} CPUs)`,
)
for (const [label, st] of stats)
  console.log(
    failures.has(label)
      ? `  ${label.padEnd(28)} ${failures.get(label)}`
      : `  ${label.padEnd(28)} median ${st.median.toFixed(0).padStart(5)} ms   min ${st.min.toFixed(0).padStart(5)} ms   max ${st.max.toFixed(0).padStart(5)} ms${st.cpu === undefined ? '' : `   CPU median ${st.cpu.toFixed(0).padStart(4)} ms`}`,
  )
if (baseline) console.log(`  (baseline = ${baseline})`)
if (extraCerts) console.log(`  (NODE_EXTRA_CA_CERTS=${extraCerts} in this environment; the targets are judged with it)`)
if (!vhv) console.log('  virt-host-validate           not installed (apt-get install libvirt-clients): no peer ratio')
const peer = stats.get('virt-host-validate')
for (const label of [
  'virtcheck probe',
  'virtcheck probe --json -',
  ...(executable ? ['executable probe', 'executable probe --json -'] : []),
]) {
  const st = stats.get(label)
  if (failures.has(label)) {
    console.log(`  target: ${label} <= ${TARGET_MS} ms: NOT measured (${failures.get(label)})`)
    continue
  }
  const ratio = peer ? `, ${(st.median / peer.median).toFixed(1)}x virt-host-validate` : ''
  console.log(
    `  target: ${label} median <= ${TARGET_MS} ms: ${st.median <= TARGET_MS ? 'met' : 'NOT met'} (median ${st.median.toFixed(0)} ms${ratio}; node startup alone ${stats.get('node startup (node -e 0)').median.toFixed(0)} ms)`,
  )
}
