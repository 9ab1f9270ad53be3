/**
 * The workload catalog: the single source of job ids, metrics, units, directions and parameters for the
 * runner and the reports. vcwork (workloads/vcwork/*.c) prints exactly these metric ids, units and
 * directions; test/workloads checks every job against it.
 */
import type { JobNeed, JobParams, JobSpec, MetricSpec, RunMode, SampleLine, VcworkParams } from '../src/core/workload.js'

const higher = (id: string, label: string, unit: string): MetricSpec => ({ id, label, unit, better: 'higher' })
const lower = (id: string, label: string, unit: string): MetricSpec => ({ id, label, unit, better: 'lower' })

const US = 'µs'
const FULL = { targetMs: 1000, reps: 5 } as const
const QUICK = { targetMs: 200, reps: 3 } as const

export const JOBS: readonly JobSpec[] = [
  {
    id: 'cpu.int',
    title: 'Integer (compression-like)',
    family: 'cpu',
    metrics: [higher('ops', 'Blocks compressed + decompressed + CRC-verified', 'ops/s')],
    needs: [],
    params: { full: FULL, quick: QUICK },
    description:
      'LZ77 with hash chains, decompression and CRC-32 of 4 KiB text-like blocks: branchy, call-heavy integer code ' +
      '(a trivially translated loop is nearly free under TCG). One op = one block round trip, verified by CRC.',
  },
  {
    id: 'cpu.fp',
    title: 'Floating point (DGEMM)',
    family: 'cpu',
    metrics: [higher('gflops', 'Double-precision matrix multiply', 'GFLOP/s')],
    needs: [],
    params: { full: { ...FULL, n: 256 }, quick: { ...QUICK, n: 256 } },
    description:
      'Blocked (64x64 tiles) C = A x B of n x n doubles, 2n^3 flops per multiply, single thread, no BLAS; ' +
      "verified with Freivalds' check C x = A (B x).",
  },
  {
    id: 'mem.stream',
    title: 'Memory bandwidth (STREAM)',
    family: 'memory',
    metrics: [
      higher('copy', 'STREAM copy', 'GB/s'),
      higher('scale', 'STREAM scale', 'GB/s'),
      higher('add', 'STREAM add', 'GB/s'),
      higher('triad', 'STREAM triad', 'GB/s'),
    ],
    needs: [],
    // full: each array at 4x the HOST's last-level caches, the same size in every tier (capped by the
    // tier's MemAvailable, which vcwork records as `capped`); vcwork's own 4x rule only without a host figure
    params: { full: { ...FULL, sizeFromHostLlc: 4 }, quick: { ...QUICK, sizeMb: 32 } },
    description:
      "STREAM kernels with McCalpin's byte counts; best pass of each kernel excluding the first; every element " +
      'verified. Quick mode uses 32 MiB arrays and says so (belowLlcRule) when that is under 4x the LLC.',
  },
  {
    id: 'mmu.gups',
    title: 'Random access (GUPS)',
    family: 'mmu',
    metrics: [higher('gups', 'Random 64-bit XOR updates', 'GUP/s')],
    needs: [],
    params: { full: { ...FULL, sizeMb: 256 }, quick: { ...QUICK, sizeMb: 64 } },
    description:
      'HPCC RandomAccess (serial): POLY=7 LFSR addresses, XOR read-modify-write over a power-of-two table far beyond ' +
      'TLB reach (4 KiB pages, THP off). Verified by replaying the updates; at most 1% wrong entries as in HPCC.',
  },
  {
    id: 'mmu.pagefault',
    title: 'Page faults',
    family: 'mmu',
    metrics: [higher('faults', 'Anonymous page faults', 'faults/s')],
    needs: [],
    params: { full: { ...FULL, sizeMb: 64 }, quick: { ...QUICK, sizeMb: 16 } },
    description:
      'mmap an anonymous private region, write one word per 4 KiB page (one minor fault each, THP off), munmap. ' +
      'Page contents are verified outside the timed part.',
  },
  {
    id: 'proc.fork',
    title: 'Process creation',
    family: 'process',
    metrics: [lower('fork', 'fork + _exit + waitpid', US)],
    needs: [],
    params: { full: FULL, quick: QUICK },
    description: 'fork, child _exit(code), parent waitpid; the exit code is checked. Like lmbench lat_proc fork.',
  },
  {
    id: 'sys.syscall',
    title: 'Null system call',
    family: 'syscall',
    metrics: [lower('syscall', 'getppid via syscall(2)', 'ns')],
    needs: [],
    params: { full: FULL, quick: QUICK },
    description: 'syscall(SYS_getppid) in a calibrated loop, return value checked. Like lmbench lat_syscall null.',
  },
  {
    id: 'sys.ctxsw',
    title: 'Context switch',
    family: 'syscall',
    metrics: [lower('switch', 'Pipe ping-pong, per switch', US)],
    needs: [],
    params: { full: FULL, quick: QUICK },
    description:
      'Two processes pinned to one CPU pass a token through two pipes; one round trip = 2 switches. Includes the pipe ' +
      'cost (lmbench lat_ctx subtracts it). The token is incremented and checked.',
  },
  {
    id: 'io.seq',
    title: 'Sequential IO',
    family: 'io',
    metrics: [higher('write', 'Sequential write, 1 MiB O_DIRECT', 'MB/s'), higher('read', 'Sequential read, 1 MiB O_DIRECT', 'MB/s')],
    needs: ['disk'],
    params: { full: { ...FULL, sizeMb: 256 }, quick: { ...QUICK, sizeMb: 32 } },
    description:
      'Sequential 1 MiB O_DIRECT pwrite over the region for targetMs (then fdatasync, timed), then sequential pread ' +
      'for targetMs. Every 4 KiB sector carries a header that reads verify.',
  },
  {
    id: 'io.rand',
    title: 'Random 4 KiB IO',
    family: 'io',
    metrics: [
      higher('readIops', 'Random read, QD1', 'IOPS'),
      lower('readP50', 'Random read latency p50', US),
      lower('readP99', 'Random read latency p99', US),
      higher('writeIops', 'Random write, QD1', 'IOPS'),
      lower('writeP50', 'Random write latency p50', US),
      lower('writeP99', 'Random write latency p99', US),
    ],
    needs: ['disk'],
    params: { full: { ...FULL, sizeMb: 256 }, quick: { ...QUICK, sizeMb: 32 } },
    description:
      '4 KiB O_DIRECT pwrite at uniformly random aligned offsets for targetMs, then pread the same way, one IO in ' +
      'flight (psync style). Reads verify the sector header against the last write.',
  },
  {
    id: 'io.fsync',
    title: 'Write + fsync',
    family: 'io',
    metrics: [lower('fsync', '4 KiB write + fsync', US)],
    needs: ['disk'],
    params: { full: FULL, quick: QUICK },
    description: '4 KiB buffered pwrite + fsync, cycling through a 1 MiB window; the window is read back and verified.',
  },
  {
    id: 'net.stream',
    title: 'TCP stream',
    family: 'net',
    metrics: [higher('throughput', 'TCP bulk transfer to the peer', 'Gbit/s')],
    needs: ['peer'],
    params: { full: FULL, quick: QUICK },
    description:
      '128 KiB sends to `vcwork serve` for targetMs; time runs until the peer confirms the byte count, and the peer ' +
      'checks every 512th byte against the pattern.',
  },
  {
    id: 'net.rr',
    title: 'TCP request/response',
    family: 'net',
    metrics: [
      higher('tps', 'Transactions (100 B request, 200 B response)', 'trans/s'),
      lower('p50', 'Round trip p50', US),
      lower('p99', 'Round trip p99', US),
    ],
    needs: ['peer'],
    params: { full: FULL, quick: QUICK },
    description: 'netperf TCP_RR style: one transaction in flight, TCP_NODELAY; the response echoes the request sequence number.',
  },
]

const BY_ID: ReadonlyMap<string, JobSpec> = new Map(JOBS.map((j) => [j.id, j]))

export const jobById = (id: string): JobSpec | undefined => BY_ID.get(id)

/**
 * What a job needs besides CPU and memory, as the catalog states it: `peer` (a running `vcwork serve`
 * the tier can reach) or `disk` (a file to read and write). None for an id the catalog does not know.
 */
export const jobNeeds = (id: string): readonly JobNeed[] => BY_ID.get(id)?.needs ?? []
export const needsPeer = (id: string): boolean => jobNeeds(id).includes('peer')
export const needsDisk = (id: string): boolean => jobNeeds(id).includes('disk')

/** The vcwork request parameters for a job in a mode, plus what the tier supplies (IO target, net peer). */
export function requestParams(
  job: JobSpec,
  mode: RunMode,
  supplied: { readonly target?: string; readonly peer?: string } = {},
): { readonly reps: number; readonly params: VcworkParams } {
  const p: JobParams = job.params[mode]
  return {
    reps: p.reps,
    params: {
      mode,
      targetMs: p.targetMs,
      ...(p.sizeMb === undefined ? {} : { sizeMb: p.sizeMb }),
      ...(p.n === undefined ? {} : { n: p.n }),
      ...(job.needs.includes('disk') && supplied.target !== undefined ? { target: supplied.target } : {}),
      ...(job.needs.includes('peer') && supplied.peer !== undefined ? { peer: supplied.peer } : {}),
    },
  }
}

/** Why a sample line does not match the catalog (unknown metric, unit or direction), or null when it does. */
export function sampleMismatch(line: SampleLine): string | null {
  const job = BY_ID.get(line.job)
  if (!job) return `unknown job ${line.job}`
  const m = job.metrics.find((x) => x.id === line.metric)
  if (!m) return `${line.job}: unknown metric ${line.metric}`
  if (m.unit !== line.unit) return `${line.job}.${line.metric}: unit ${line.unit}, catalog says ${m.unit}`
  if (m.better !== line.better) return `${line.job}.${line.metric}: better=${line.better}, catalog says ${m.better}`
  return null
}
