#!/usr/bin/env node
// How long `virtcheck probe` takes on this machine, against virt-host-validate (libvirt-clients).
// Measures the built CLI (`npm run build` first): node startup alone, `virtcheck probe --json /dev/null`,
// and `virt-host-validate` (when installed). Prints the median, min and max of N runs each.
// Usage: node benchmarks/probe-speed.mjs [--runs N]
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const runsArg = process.argv.indexOf('--runs')
const N = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15
if (!(N >= 1 && N <= 200)) {
  console.error('--runs must be 1..200')
  process.exit(2)
}
const bin = `${root}bin/virtcheck.js`
if (!existsSync(`${root}dist/src/cli/entry.js`)) {
  console.error('virtcheck is not built: run `npm run build` first')
  process.exit(2)
}

const time = (cmd, args) => {
  const t = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } })
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  return { ms, ok: r.error === undefined && r.status !== null }
}
const bench = (label, cmd, args) => {
  time(cmd, args) // warm the page cache
  const xs = []
  for (let i = 0; i < N; i++) {
    const r = time(cmd, args)
    if (!r.ok) return { label, error: `${cmd} failed to run` }
    xs.push(r.ms)
  }
  xs.sort((a, b) => a - b)
  const median = N % 2 ? xs[(N - 1) / 2] : (xs[N / 2 - 1] + xs[N / 2]) / 2
  return { label, median, min: xs[0], max: xs[N - 1] }
}

const rows = [
  bench('node startup (node -e 0)', process.execPath, ['-e', '0']),
  bench('virtcheck probe --json /dev/null', process.execPath, [bin, 'probe', '--json', '/dev/null']),
]
const vhv = spawnSync('sh', ['-c', 'command -v virt-host-validate'], { encoding: 'utf8' }).stdout.trim()
rows.push(vhv ? bench('virt-host-validate', vhv, []) : { label: 'virt-host-validate', error: 'not installed (apt-get install libvirt-clients)' })

const load = (await import('node:os')).loadavg()[0].toFixed(2)
console.log(`probe speed, ${N} runs each (load average ${load}, ${(await import('node:os')).cpus().length} CPUs)`)
for (const r of rows)
  console.log(r.error ? `  ${r.label.padEnd(36)} ${r.error}` : `  ${r.label.padEnd(36)} median ${r.median.toFixed(0).padStart(5)} ms   min ${r.min.toFixed(0).padStart(5)} ms   max ${r.max.toFixed(0).padStart(5)} ms`)
const p = rows[1]
if (!p.error) console.log(`  target: probe under 300 ms wall: ${p.median < 300 ? 'met' : 'NOT met'} (median ${p.median.toFixed(0)} ms, of which ~${rows[0].median?.toFixed(0)} ms is node startup)`)
