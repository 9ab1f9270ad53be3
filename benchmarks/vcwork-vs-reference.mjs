#!/usr/bin/env node
// Validates vcwork against reference tools, natively, on the same parameters:
//   sysbench cpu / memory, fio (4 KiB randread+randwrite QD1 direct psync; 1 MiB sequential direct),
//   iperf3 (TCP over 127.0.0.1), and an independent STREAM-equivalent C build.
// Prints both side by side with the ratio vcwork/reference, says where definitions differ. Each comparison runs
// PAIRS alternating vcwork/reference runs and keeps the best of each tool (the machine is shared with other
// work); the whole set runs ROUNDS times (default 2) to show run-to-run variation, and the report is saved to
// benchmarks/results/vcwork-vs-reference.txt. Every child is bounded in time; with the defaults the run takes
// about 10 minutes, and its budget grows with --rounds, --pairs and --seconds.
//
// Usage: node benchmarks/vcwork-vs-reference.mjs [--rounds N] [--pairs N] [--seconds S] [--no-pin] [--no-save]
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const ARCH = { x64: 'x86_64', arm64: 'aarch64' }[process.arch] ?? process.arch
const VCWORK = path.join(ROOT, 'build', 'native', ARCH, 'vcwork')
const RESULT = path.join(ROOT, 'benchmarks', 'results', 'vcwork-vs-reference.txt')

const args = process.argv.slice(2)
const die = (msg) => {
  process.stderr.write(`vcwork-vs-reference: ${msg}\n`)
  process.exit(2)
}
// an option it does not know must not start a run that overwrites the saved result
const NUMERIC = ['--rounds', '--pairs', '--seconds']
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (NUMERIC.includes(a)) {
    const v = Number(args[i + 1])
    if (!(v > 0) || !Number.isFinite(v)) die(`${a} needs a positive number, got ${args[i + 1] ?? 'nothing'}`)
    i++
  } else if (!['--no-pin', '--no-save'].includes(a)) die(`unknown option ${a} (known: ${[...NUMERIC, '--no-pin', '--no-save'].join(' ')})`)
}
const opt = (name, dflt) => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : dflt
}
const ROUNDS = opt('--rounds', 2)
// alternating vcwork/reference runs per comparison and round. 6, not 3: with 3, two default runs had 12 of 13
// rows within 15% by pair median (STREAM triad 1.21 and 0.86), with 6 one had 13 of 13 (docs/workloads.md)
const PAIRS = opt('--pairs', 6)
// per measured phase. 3, not 1: a p99 from a 1 s phase (about 14k IOs, 140 above it) is set by a few stalls of
// the shared host; two 1 s runs on 2026-12-04 had io.rand readP99 pairs ranging 0.32-2.46 and 11 and 12 of 13
// rows within 15% by pair median, the two 3 s runs after them 13 and 12 (writeP99 0.82): still noisy, less so
// (docs/workloads.md)
const SECONDS = opt('--seconds', 3)
const SAVE = !args.includes('--no-save')
const STREAM_MB = 256 // per array, for both STREAM implementations
const IO_MB = 256 // file size for fio and vcwork IO
// no new comparison starts after this: 150 s per round of 3 pairs (one comparison takes < 25 s), more for more work
const BUDGET_MS = 75_000 * ROUNDS * Math.max(1, PAIRS / 3) * Math.max(1, SECONDS)
const started = Date.now()

const log = (s) => process.stderr.write(`${s}\n`)
const have = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0

// Both tools of a pair run on one CPU (taskset), and the pairs walk the CPUs: on the development VM the disk's
// interrupts all go to CPU 1, so a 4 KiB read issued on CPU 0 takes twice as long (io.fsync 200 vs 120 µs), and
// the vCPUs' memory bandwidth differs too; unpinned, where each tool happened to run decided the ratio.
const PIN_CPUS = args.includes('--no-pin') ? [] : Array.from({ length: Math.min(os.cpus().length, 4) }, (_, i) => i)
let pinnedCpu // the CPU of the pair being measured; undefined outside pairs or with --no-pin

// vcwork fixes its own address layout (docs/workloads.md); the reference tools get the same under setarch -R.
// With a random layout per process, the C STREAM build's triad moved 25% between two rounds while
// vcwork's moved 7%: a per-process layout, not the code, decided that row.
const SETARCH = have('setarch') ? ['setarch', '-R'] : []

/** Runs a command with a hard timeout; returns stdout or throws with the tail of stderr. */
function run(cmd, argv, { timeoutMs = (SECONDS * 3 + 20) * 1000, env } = {}) {
  const fixed = cmd === VCWORK ? [cmd, ...argv] : [...SETARCH, cmd, ...argv]
  const [c, ...a] = pinnedCpu === undefined ? fixed : ['taskset', '-c', String(pinnedCpu), ...fixed]
  const r = spawnSync(c, a, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20, ...(env ? { env } : {}) })
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`)
  if (r.status !== 0)
    throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}`)
  return r.stdout
}

/** vcwork run JOB ...: map metric -> value (median over reps is not needed: one rep of SECONDS). */
function vcwork(job, extra) {
  const out = run(VCWORK, ['run', job, '--reps', '1', '--target-ms', String(SECONDS * 1000), ...extra])
  const m = {}
  const params = {}
  for (const line of out.split('\n').filter(Boolean)) {
    const o = JSON.parse(line)
    if (o.type === 'error') throw new Error(`vcwork ${job}: ${o.message}`)
    if (o.type === 'sample') {
      m[o.metric] = o.value
      Object.assign(params, o.params)
    }
  }
  return { m, params }
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })

/** Starts a server process and resolves once `ready(stdoutSoFar)` is true. */
function startServer(cmd, argv, ready, timeoutMs = 5000) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${cmd} did not start`))
    }, timeoutMs)
    child.stdout.on('data', (d) => {
      out += d
      const r = ready(out)
      if (r !== undefined) {
        clearTimeout(t)
        resolve({ child, info: r })
      }
    })
    child.on('exit', (code) => {
      clearTimeout(t)
      reject(new Error(`${cmd} exited ${code} before it was ready`))
    })
  })
}

const stopChild = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const t = setTimeout(() => child.kill('SIGKILL'), 3000)
    child.on('exit', () => {
      clearTimeout(t)
      resolve()
    })
    child.kill('SIGTERM')
  })

// ---- the comparisons -------------------------------------------------------------------------------

const STREAM_REF_C = String.raw`
/* Independent STREAM-equivalent (not McCalpin's source): same kernels, byte counts, NTIMES=5, best of passes 2..5. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
  size_t n = strtoull(argv[1], 0, 10), j; double s = 3.0, best[4] = {1e30, 1e30, 1e30, 1e30}, t, d[4];
  double *a = malloc(n * 8), *b = malloc(n * 8), *c = malloc(n * 8);
  if (!a || !b || !c) return 1;
  for (j = 0; j < n; j++) { a[j] = 1.0; b[j] = 2.0; c[j] = 0.0; }
  for (int k = 0; k < 5; k++) {
    t = now(); for (j = 0; j < n; j++) c[j] = a[j];            d[0] = now() - t;
    t = now(); for (j = 0; j < n; j++) b[j] = s * c[j];        d[1] = now() - t;
    t = now(); for (j = 0; j < n; j++) c[j] = a[j] + b[j];     d[2] = now() - t;
    t = now(); for (j = 0; j < n; j++) a[j] = b[j] + s * c[j]; d[3] = now() - t;
    if (k > 0) for (int q = 0; q < 4; q++) if (d[q] < best[q]) best[q] = d[q];
  }
  double bytes = 8.0 * n;
  printf("%.4f %.4f %.4f %.4f %.1f\n", 2 * bytes / best[0] / 1e9, 2 * bytes / best[1] / 1e9, 3 * bytes / best[2] / 1e9,
         3 * bytes / best[3] / 1e9, a[n / 2] + b[n / 3] + c[n / 5]);
  return 0;
}
`

function buildStreamRef(dir) {
  const src = path.join(dir, 'stream-ref.c')
  const bin = path.join(dir, 'stream-ref')
  fs.writeFileSync(src, STREAM_REF_C)
  run('gcc', ['-O2', '-static', '-o', bin, src], { timeoutMs: 60_000 })
  return bin
}

const mibps = (text, what) => {
  const m = text.match(/\(([\d.]+) MiB\/sec\)/)
  if (!m) throw new Error(`no MiB/sec in sysbench ${what} output`)
  return Number(m[1])
}

function fio(file, rw, bs) {
  const out = run('fio', [
    '--name=ref',
    `--filename=${file}`,
    `--rw=${rw}`,
    `--bs=${bs}`,
    '--direct=1',
    '--ioengine=psync',
    '--iodepth=1',
    `--size=${IO_MB}M`,
    '--time_based',
    `--runtime=${SECONDS}`,
    '--output-format=json',
    '--randrepeat=0',
    // overwrite in place like vcwork (without it fio unlinks and re-creates the file for pure write jobs)
    '--overwrite=1',
    // fio's default scramble_buffers=1 rewrites parts of every buffer before each IO: on this VM that cost ~20% of
    // 1 MiB write throughput (measured); vcwork's per-sector headers already make every 4 KiB sector unique
    '--scramble_buffers=0',
  ])
  // fio may print warnings before the JSON document (fio #731, #1333): parse from the first '{'
  const j = JSON.parse(out.slice(out.indexOf('{')))
  const job = j.jobs[0]
  const dir = rw.includes('read') ? job.read : job.write
  const pct = dir.clat_ns?.percentile ?? {}
  return {
    iops: dir.iops,
    mbps: dir.bw_bytes / 1e6,
    p50: (pct['50.000000'] ?? NaN) / 1000,
    p99: (pct['99.000000'] ?? NaN) / 1000,
    version: j['fio version'],
  }
}

async function iperf3Gbps() {
  const port = await freePort()
  const srv = spawn('iperf3', ['-s', '-B', '127.0.0.1', '-p', String(port), '-1'], { stdio: 'ignore' })
  try {
    let out = ''
    for (let attempt = 0; attempt < 20; attempt++) {
      await new Promise((r) => setTimeout(r, 100))
      try {
        out = run('iperf3', ['-c', '127.0.0.1', '-p', String(port), '-t', String(SECONDS), '-J'])
        break
      } catch (e) {
        if (attempt === 19) throw e
      }
    }
    const j = JSON.parse(out)
    return j.end.sum_received.bits_per_second / 1e9
  } finally {
    await stopChild(srv)
  }
}

/**
 * The comparisons. Each has a vcwork side and a reference side returning { rowKey: value }; a row says which
 * value of each side it compares, whether the definitions match, and which direction is better (for best-of).
 */
function comparisons({ peer, streamRef, fioFile, meta }) {
  const sysbenchCpu = () => {
    const out = run('sysbench', ['cpu', '--threads=1', `--time=${SECONDS}`, '--cpu-max-prime=10000', 'run'])
    return Number(out.match(/events per second:\s*([\d.]+)/)[1])
  }
  const sysbenchMem = (oper) =>
    (mibps(
      run('sysbench', [
        'memory',
        '--threads=1',
        `--time=${SECONDS}`,
        '--memory-block-size=1M',
        '--memory-total-size=100000G',
        `--memory-oper=${oper}`,
        '--memory-access-mode=seq',
        'run',
      ]),
      oper,
    ) *
      1.048576) /
    1000
  return [
    {
      name: 'cpu',
      vc: () => ({ cpu: vcwork('cpu.int', []).m.ops }),
      ref: () => ({ cpu: sysbenchCpu() }),
      rows: [
        {
          key: 'cpu',
          vcLabel: 'cpu.int ops/s (LZ77+CRC 4 KiB blocks)',
          refLabel: 'sysbench cpu events/s (primes<10000)',
          same: false,
          better: 'higher',
        },
      ],
    },
    {
      name: 'memory (STREAM)',
      vc: () => {
        const { m, params } = vcwork('mem.stream', ['--size-mb', String(STREAM_MB)])
        meta.llc = `STREAM arrays ${STREAM_MB} MiB each for both implementations; LLC seen by vcwork: ${params.llcKb} KiB, so belowLlcRule=${params.belowLlcRule} (kept small to bound the run)`
        return { copy: m.copy, scale: m.scale, add: m.add, triad: m.triad }
      },
      ref: () => {
        const v = run(streamRef, [String((STREAM_MB * 1048576) / 8)], { timeoutMs: 60_000 })
          .trim()
          .split(/\s+/)
          .map(Number)
        return { copy: v[0], scale: v[1], add: v[2], triad: v[3] }
      },
      rows: ['copy', 'scale', 'add', 'triad'].map((k) => ({
        key: k,
        vcLabel: `mem.stream ${k} GB/s`,
        refLabel: `STREAM-equivalent C ${k} GB/s`,
        same: true,
        better: 'higher',
      })),
    },
    {
      name: 'memory (sysbench)',
      vc: () => ({}), // compared against the best mem.stream copy of the round
      ref: () => ({ sbRead: sysbenchMem('read'), sbWrite: sysbenchMem('write') }),
      rows: [
        {
          key: 'sbRead',
          vcKey: 'copy',
          vcLabel: 'mem.stream copy GB/s',
          refLabel: 'sysbench memory read 1M blocks GB/s',
          same: false,
          better: 'higher',
        },
        {
          key: 'sbWrite',
          vcKey: 'copy',
          vcLabel: 'mem.stream copy GB/s',
          refLabel: 'sysbench memory write 1M blocks GB/s',
          same: false,
          better: 'higher',
        },
      ],
    },
    {
      name: 'io random',
      vc: () => {
        const { m, params } = vcwork('io.rand', ['--target', fioFile, '--size-mb', String(IO_MB)])
        meta.fs = `IO: both tools use the same ${IO_MB} MiB file (laid out once by fio) on ${params.fsType} under .virtcheck/tmp, not the raw device`
        return { rIops: m.readIops, rP50: m.readP50, rP99: m.readP99, wIops: m.writeIops, wP50: m.writeP50, wP99: m.writeP99 }
      },
      ref: () => {
        const r = fio(fioFile, 'randread', '4k')
        const w = fio(fioFile, 'randwrite', '4k')
        meta.fio = r.version
        return { rIops: r.iops, rP50: r.p50, rP99: r.p99, wIops: w.iops, wP50: w.p50, wP99: w.p99 }
      },
      rows: [
        { key: 'rIops', vcLabel: 'io.rand readIops', refLabel: 'fio randread 4k QD1 direct psync IOPS', same: true, better: 'higher' },
        { key: 'rP50', vcLabel: 'io.rand readP50 µs', refLabel: 'fio randread clat p50 µs', same: true, better: 'lower' },
        { key: 'rP99', vcLabel: 'io.rand readP99 µs', refLabel: 'fio randread clat p99 µs', same: true, better: 'lower' },
        { key: 'wIops', vcLabel: 'io.rand writeIops', refLabel: 'fio randwrite 4k QD1 direct psync IOPS', same: true, better: 'higher' },
        { key: 'wP50', vcLabel: 'io.rand writeP50 µs', refLabel: 'fio randwrite clat p50 µs', same: true, better: 'lower' },
        { key: 'wP99', vcLabel: 'io.rand writeP99 µs', refLabel: 'fio randwrite clat p99 µs', same: true, better: 'lower' },
      ],
    },
    {
      name: 'io sequential',
      vc: () => {
        const { m } = vcwork('io.seq', ['--target', fioFile, '--size-mb', String(IO_MB)])
        return { sW: m.write, sR: m.read }
      },
      ref: () => ({ sW: fio(fioFile, 'write', '1M').mbps, sR: fio(fioFile, 'read', '1M').mbps }),
      rows: [
        { key: 'sW', vcLabel: 'io.seq write MB/s', refLabel: 'fio write 1M direct psync MB/s', same: true, better: 'higher' },
        { key: 'sR', vcLabel: 'io.seq read MB/s', refLabel: 'fio read 1M direct psync MB/s', same: true, better: 'higher' },
      ],
    },
    {
      name: 'network',
      vc: () => ({ net: vcwork('net.stream', ['--peer', peer]).m.throughput }),
      ref: async () => ({ net: await iperf3Gbps() }),
      rows: [
        {
          key: 'net',
          vcLabel: 'net.stream Gbit/s (128 KiB sends)',
          refLabel: 'iperf3 TCP 127.0.0.1 Gbit/s (received)',
          same: true,
          better: 'higher',
        },
      ],
    },
  ]
}

const median = (xs) => {
  if (xs.length === 0) return NaN
  const a = [...xs].sort((x, y) => x - y)
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2
}
const best = (xs, better) => (xs.length === 0 ? NaN : better === 'higher' ? Math.max(...xs) : Math.min(...xs))

async function main() {
  for (const tool of ['gcc', 'sysbench', 'fio', 'iperf3'])
    if (!have(tool)) throw new Error(`${tool} is not installed (Debian package ${tool})`)
  const b = spawnSync(process.execPath, [path.join(ROOT, 'workloads', 'build.mjs'), '--quiet'], { encoding: 'utf8' })
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr.trim()}`)

  const scratchBase = path.join(ROOT, '.virtcheck', 'tmp')
  fs.mkdirSync(scratchBase, { recursive: true })
  const scratch = fs.mkdtempSync(path.join(scratchBase, 'bench-'))
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vcwork-ref-'))
  const notes = new Set()
  const meta = {}
  const fioFile = path.join(scratch, 'fio.dat')
  /** rows by key: { ...row, values: [{ vc, ref }] per round } */
  const rows = new Map()
  let server
  let peer = ''

  try {
    const streamRef = buildStreamRef(tmp)
    server = await startServer(VCWORK, ['serve', '--listen', '127.0.0.1:0', '--max-seconds', '600'], (out) => {
      const line = out.split('\n')[0]
      return line && out.includes('\n') ? JSON.parse(line).port : undefined
    })
    peer = `127.0.0.1:${server.info}`
    const comps = comparisons({ peer, streamRef, fioFile, meta })
    // lay the file out once, fully written, so neither tool pays for block allocation in its timed part
    run(
      'fio',
      ['--name=layout', `--filename=${fioFile}`, '--rw=write', '--bs=1M', '--direct=1', `--size=${IO_MB}M`, '--output-format=terse'],
      { timeoutMs: 60_000 },
    )
    for (let round = 1; round <= ROUNDS; round++) {
      const roundVc = {}
      for (const c of comps) {
        if (Date.now() - started > BUDGET_MS) {
          notes.add(`time budget reached: '${c.name}' skipped in round ${round}`)
          continue
        }
        log(`round ${round}: ${c.name}`)
        const vcRuns = []
        const refRuns = []
        try {
          // PAIRS alternating runs (vcwork first, then reference first, ...): interference from other work on the
          // shared machine hits both tools; best-of-PAIRS per tool keeps the least disturbed run of each
          for (let p = 0; p < PAIRS; p++) {
            pinnedCpu = PIN_CPUS.length > 1 ? PIN_CPUS[(p + round) % PIN_CPUS.length] : undefined
            if ((p + round) % 2 === 0) {
              vcRuns.push(await c.vc())
              refRuns.push(await c.ref())
            } else {
              refRuns.push(await c.ref())
              vcRuns.push(await c.vc())
            }
          }
        } catch (e) {
          notes.add(`round ${round} ${c.name}: ${e.message}`)
          continue
        } finally {
          pinnedCpu = undefined
        }
        for (const r of c.rows) {
          const vcKey = r.vcKey ?? r.key
          const vcBetter = c.rows.find((x) => x.key === vcKey)?.better ?? r.better
          const vc = r.vcKey
            ? roundVc[vcKey]
            : best(
                vcRuns.map((x) => x[vcKey]),
                vcBetter,
              )
          if (!r.vcKey) roundVc[r.key] = vc
          const ref = best(
            refRuns.map((x) => x[r.key]),
            r.better,
          )
          // ratio of each adjacent vcwork/reference pair: slow drifts of the machine cancel within a pair
          const pairs = r.vcKey ? [] : vcRuns.map((x, i) => x[r.key] / refRuns[i][r.key]).filter(Number.isFinite)
          if (!rows.has(r.key)) rows.set(r.key, { ...r, values: [] })
          rows.get(r.key).values.push({ vc, ref, pairMedian: median(pairs), pairs })
        }
      }
    }
  } finally {
    if (server) {
      spawnSync(VCWORK, ['stop', '--peer', peer], { timeout: 5000 })
      await stopChild(server.child)
    }
    fs.rmSync(scratch, { recursive: true, force: true })
    fs.rmSync(tmp, { recursive: true, force: true })
  }
  for (const m of [meta.llc, meta.fs]) if (m) notes.add(m)
  const fioVersion = meta.fio ?? 'fio'

  // ---- report ----
  const fmt = (v) => (v === undefined || !Number.isFinite(v) ? '-' : v >= 1000 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3))
  const cpuModel = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown CPU'
  const sysbenchVersion = run('sysbench', ['--version']).trim()
  const iperfVersion = run('iperf3', ['--version']).split('\n')[0].trim()
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')
  const out = []
  out.push('vcwork vs reference tools (native)')
  out.push(
    `date: ${new Date().toISOString()}   host: ${cpuModel}, ${os.cpus().length} CPUs, kernel ${os.release()}, load avg at end ${load}`,
  )
  out.push(`tools: ${sysbenchVersion}; ${fioVersion}; ${iperfVersion}; vcwork ${JSON.parse(run(VCWORK, ['version'])).version}`)
  out.push(`each measured phase: ${SECONDS} s; per round and comparison ${PAIRS} adjacent vcwork/reference pairs, order alternating;`)
  out.push(
    PIN_CPUS.length > 1
      ? `both tools of a pair pinned to one CPU (taskset), pairs walking CPUs ${PIN_CPUS.join(',')}; servers (iperf3 -s, vcwork serve) unpinned;`
      : 'not pinned (--no-pin or one CPU);',
  )
  out.push(
    SETARCH.length
      ? 'address layout fixed for both tools (vcwork itself; the references under setarch -R)'
      : 'address layout: vcwork fixed, the references random (no setarch here)',
  )
  out.push(`rounds: ${ROUNDS}; the 2-CPU machine is shared with other engineers' builds and tests (see load average)`)
  out.push('columns per round: best vcwork / best reference (best of the pairs), then "pairs" = median of the ratios of')
  out.push('adjacent runs (robust to slow load changes) and the range of those ratios; ratios of different definitions in ()')
  out.push('')
  const w1 = 38
  const w2 = 40
  const cw = 46
  out.push(
    `${'vcwork'.padEnd(w1)} ${'reference'.padEnd(w2)} ${Array.from({ length: ROUNDS }, (_, i) => `round ${i + 1}`.padEnd(cw)).join(' ')} same def?`,
  )
  for (const r of rows.values()) {
    const cells = r.values.map(({ vc, ref, pairMedian, pairs }) => {
      const head = `${fmt(vc)} / ${fmt(ref)}`
      const tail = r.same
        ? `pairs ${pairMedian.toFixed(2)} (${Math.min(...pairs).toFixed(2)}-${Math.max(...pairs).toFixed(2)})`
        : `(${(vc / ref).toFixed(2)})`
      return `${head.padEnd(20)} ${tail}`.padEnd(cw)
    })
    out.push(`${r.vcLabel.padEnd(w1)} ${r.refLabel.padEnd(w2)} ${cells.join(' ')} ${r.same ? 'yes' : 'NO'}`)
  }
  out.push('')
  const same = [...rows.values()].filter((r) => r.same)
  const criteria = [
    ['best-of ratio (best vcwork / best reference)', (v) => v.vc / v.ref],
    ['pair-median ratio', (v) => v.pairMedian],
  ]
  for (const [name, ratio] of criteria) {
    const ok = (r) => r.values.every((v) => Math.abs(ratio(v) - 1) <= 0.15)
    out.push(`same-definition rows within ±15% in every round by ${name}: ${same.filter(ok).length} of ${same.length}`)
    for (const r of same.filter((x) => !ok(x))) {
      out.push(`  outside: ${r.vcLabel} vs ${r.refLabel}: ${r.values.map((v) => ratio(v).toFixed(2)).join(', ')}`)
    }
  }
  const spread = (xs) => (xs.length > 1 ? (Math.max(...xs) / Math.min(...xs) - 1) * 100 : 0)
  out.push('round-to-round spread (max/min - 1) of each tool:')
  for (const r of rows.values()) {
    out.push(
      `  ${r.key.padEnd(20)} vcwork ${spread(r.values.map((v) => v.vc)).toFixed(1)}%  reference ${spread(r.values.map((v) => v.ref)).toFixed(1)}%`,
    )
  }
  out.push('')
  out.push('Where definitions differ (ratios in parentheses are not a validation):')
  out.push('  - sysbench cpu counts prime-search events (trial division up to 10000); cpu.int counts 4 KiB LZ77 compress +')
  out.push('    decompress + CRC round trips. Both are single-thread integer work; only their relative changes across tiers compare.')
  out.push('  - sysbench memory reads/writes the same 1 MiB block over and over (cache-resident, no stores for read);')
  out.push('    STREAM copy streams two arrays far larger than the caches. Different quantities; shown for orientation only.')
  out.push('  - fio and vcwork both use psync-style pread/pwrite with O_DIRECT at QD1 on the same file; vcwork first writes')
  out.push('    its own verifiable pattern over it (untimed); fio runs with --overwrite=1 (in place) and --scramble_buffers=0')
  out.push('    (its default per-IO buffer scrambling cost ~20% of 1 MiB write throughput here); vcwork runs its write phase')
  out.push('    before its read phase, fio runs randread then randwrite as separate jobs; fio picks offsets from a')
  out.push('    random map (each block once per pass), vcwork uniformly at random. fio percentiles are clat (completion')
  out.push('    latency, from its histogram buckets); vcwork times each pread/pwrite call with CLOCK_MONOTONIC.')
  out.push('  - iperf3 reports the receiver rate over its own interval (-t); vcwork net.stream times from first send until')
  out.push('    the peer confirms the byte count, and the peer spot-checks the pattern.')
  out.push('  - STREAM-equivalent C is an independent implementation of the same kernels and byte counts (NTIMES=5,')
  out.push("    best of passes 2..5, single thread), compiled with the same gcc -O2 -static; not McCalpin's source.")
  out.push('  - Not compared: net.rr (netperf is not packaged in Debian main), sys.*, proc.fork, mmu.* (lmbench/HPCC not')
  out.push('    installed); those jobs follow the lmbench/HPCC definitions documented in docs/workloads.md.')
  if (notes.size) {
    out.push('')
    out.push('Notes:')
    for (const n of notes) out.push(`  - ${n}`)
  }
  out.push(`total run time: ${((Date.now() - started) / 1000).toFixed(0)} s`)
  const text = `${out.join('\n')}\n`
  process.stdout.write(text)
  if (SAVE) {
    fs.mkdirSync(path.dirname(RESULT), { recursive: true })
    fs.writeFileSync(RESULT, text)
    log(`saved ${path.relative(ROOT, RESULT)}`)
  }
}

main().catch((e) => {
  log(`vcwork-vs-reference: ${e.message}`)
  process.exitCode = 1
})
