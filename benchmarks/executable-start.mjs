#!/usr/bin/env node
// The packaged executable against the from-source CLI, in the same run: its size, and the wall time of
// `--version` and `probe --json /dev/null` (median, min, max of N runs each; the two are alternated
// run by run so machine drift hits both alike). Target: the executable's probe is not slower.
// Needs `npm run build` and `npm run package` first.
// Usage: node benchmarks/executable-start.mjs [--runs N]
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const runsArg = process.argv.indexOf('--runs')
const N = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9
if (!(Number.isInteger(N) && N >= 1 && N <= 200)) {
  console.error('--runs must be an integer 1..200')
  process.exit(2)
}
const arch = { x64: 'x64', arm64: 'arm64' }[process.arch]
const exe = `${root}build/package/virtcheck-linux-${arch}`
const launcher = `${root}bin/virtcheck.js`
for (const [f, hint] of [
  [exe, 'npm run package'],
  [`${root}dist/src/cli/entry.js`, 'npm run build'],
]) {
  if (!existsSync(f)) {
    console.error(`${f} missing: run \`${hint}\` first`)
    process.exit(2)
  }
}

const time = (cmd, args) => {
  const t = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } })
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  if (r.error || (r.status !== 0 && r.status !== 1))
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`)
  return ms
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] }
}
const fmt = (x) => `${(x / 1000).toFixed(3)} s`

const pairs = [
  ['--version', ['--version']],
  ['probe --json /dev/null', ['probe', '--json', '/dev/null']],
]
console.log(
  `executable-start: ${exe.replace(root, '')}, ${(statSync(exe).size / 2 ** 20).toFixed(1)} MiB; from source: ${process.execPath} (${process.version}) bin/virtcheck.js; ${N} runs each, alternated`,
)
console.log(
  `  ${new Date().toISOString()}, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (absolute times are noisy on a shared machine; the ratio is the figure)`,
)
const results = {}
for (const [label, args] of pairs) {
  time(exe, args) // warm the page cache and the helper cache
  time(process.execPath, [launcher, ...args])
  const a = []
  const b = []
  for (let i = 0; i < N; i++) {
    a.push(time(exe, args))
    b.push(time(process.execPath, [launcher, ...args]))
  }
  const sa = stats(a)
  const sb = stats(b)
  results[label] = { exe: sa, source: sb }
  console.log(`  ${label.padEnd(24)} executable median ${fmt(sa.median)} (min ${fmt(sa.min)}, max ${fmt(sa.max)})`)
  console.log(
    `  ${''.padEnd(24)} from source median ${fmt(sb.median)} (min ${fmt(sb.min)}, max ${fmt(sb.max)})  ratio ${(sa.median / sb.median).toFixed(2)}`,
  )
}
const probe = results['probe --json /dev/null']
const ok = probe.exe.median <= probe.source.median
console.log(`target (the executable's probe is not slower than from source): ${ok ? 'met' : 'NOT met'}`)
process.exitCode = ok ? 0 : 1
