/**
 * Workload catalog types and the vcwork line protocol (docs/workloads.md).
 *
 * vcwork is one static C program that runs the same machine code in every tier. It writes JSON lines
 * only on stdout; `parseVcworkLine` is the single gate every line passes before the runner believes it:
 * anything that is not exactly one line of the schema below (stray text, unknown keys, wrong types) is
 * rejected with `null`.
 */

export const JOB_IDS = [
  'cpu.int',
  'cpu.fp',
  'mem.stream',
  'mmu.gups',
  'mmu.pagefault',
  'proc.fork',
  'sys.syscall',
  'sys.ctxsw',
  'io.seq',
  'io.rand',
  'io.fsync',
  'net.stream',
  'net.rr',
] as const
export type JobId = (typeof JOB_IDS)[number]
export const isJobId = (s: string): s is JobId => (JOB_IDS as readonly string[]).includes(s)

export type Better = 'higher' | 'lower'
export type JobFamily = 'cpu' | 'memory' | 'mmu' | 'process' | 'syscall' | 'io' | 'net'
/** What a job needs from the tier besides the vcwork binary: a scratch path for IO, a `vcwork serve` peer for net. */
export type JobNeed = 'disk' | 'peer'

export interface MetricSpec {
  /** Metric id as vcwork prints it in sample lines. */
  readonly id: string
  readonly label: string
  readonly unit: string
  readonly better: Better
}

/** Parameters the runner sends with each job; what is absent uses vcwork's own rule (e.g. STREAM size from the LLC). */
export interface JobParams {
  /** Target duration of one repetition (each phase of two-phase IO jobs). */
  readonly targetMs: number
  /** Repetitions per run. */
  readonly reps: number
  /** Per-array MiB (mem.stream), table MiB (mmu.gups), region MiB (mmu.pagefault, io.seq, io.rand). */
  readonly sizeMb?: number
  /** Matrix order (cpu.fp). */
  readonly n?: number
  /**
   * Without sizeMb: the runner sizes the job at this multiple of the host's last-level caches, in MiB
   * (at least 16), and sends that size to every tier. Left to vcwork, each tier would size by the caches
   * it sees, and a guest's emulated CPUID reports other caches than the host's: a different job.
   */
  readonly sizeFromHostLlc?: number
}

export type RunMode = 'quick' | 'full'

export interface JobSpec {
  readonly id: JobId
  readonly title: string
  readonly family: JobFamily
  readonly metrics: readonly MetricSpec[]
  readonly needs: readonly JobNeed[]
  readonly params: { readonly quick: JobParams; readonly full: JobParams }
  readonly description: string
}

/** Flat request parameters as vcwork accepts them (agent `params` object; CLI flags of the same meaning). */
export interface VcworkParams {
  readonly targetMs?: number
  readonly sizeMb?: number
  readonly n?: number
  /** IO target: file, directory or block device (inside a guest, the virtual disk). */
  readonly target?: string
  /** Network peer HOST:PORT of a running `vcwork serve`. */
  readonly peer?: string
  readonly mode?: RunMode
}

// ---- output lines --------------------------------------------------------------------------------

export type ParamValue = string | number | boolean

export interface EnvInfo {
  /** Steal ticks from /proc/stat (cpu line, field 8), when readable. */
  readonly stealTicks?: number
  /** /sys/devices/system/clocksource/clocksource0/current_clocksource, when readable. */
  readonly clocksource?: string
  /** The last-level caches in KiB, all instances (sysfs), when the system says. */
  readonly llcKb?: number
  /** "fixed", or "randomized (why)" (env.c). */
  readonly addressLayout?: string
  readonly arch: string
  readonly cpus: number
  readonly kernel: string
  /** vcwork version. */
  readonly version: string
}

export interface SampleLine {
  readonly type: 'sample'
  /** Agent request id (agent mode only). */
  readonly id?: number
  readonly job: JobId
  readonly metric: string
  readonly unit: string
  readonly better: Better
  readonly value: number
  /** 1-based repetition. */
  readonly rep: number
  /** Timed part of the repetition (for two-phase IO jobs: the shorter phase). */
  readonly durationMs: number
  readonly targetMs: number
  /** Units of work timed (ops, passes, updates, pages, transactions...). */
  readonly iterations: number
  /** The repetition ran shorter than its target. */
  readonly short: boolean
  readonly stealTicksDelta?: number
  /** Effective parameters (sizes, rules applied, verification counts). */
  readonly params: Readonly<Record<string, ParamValue>>
}

export interface SummaryLine {
  readonly type: 'summary'
  readonly id?: number
  readonly job: JobId
  readonly reps: number
  readonly env: EnvInfo
}

export interface ErrorLine {
  readonly type: 'error'
  readonly id?: number
  readonly job?: JobId
  readonly message: string
}

export interface EnvLine extends EnvInfo {
  readonly type: 'env'
  readonly id?: number
}

/** First line of `vcwork agent`. */
export interface ReadyLine {
  readonly type: 'ready'
  readonly version: string
  readonly arch: string
  /** "fixed", or "randomized (why)": vcwork turns address-space randomisation off for itself (env.c). */
  readonly addressLayout?: string
}

export interface VersionLine {
  readonly type: 'version'
  readonly id?: number
  readonly version: string
  readonly arch: string
}

export interface DoneLine {
  readonly type: 'done'
  readonly id: number
}

/** First line of `vcwork serve`: the bound address (port 0 asks for an ephemeral port). */
export interface ListeningLine {
  readonly type: 'listening'
  readonly addr: string
  readonly port: number
}

export type VcworkLine = SampleLine | SummaryLine | ErrorLine | EnvLine | ReadyLine | VersionLine | DoneLine | ListeningLine

// ---- validation ------------------------------------------------------------------------------------

type Check = (v: unknown) => boolean

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str: Check = (v) => typeof v === 'string'
const nonEmpty: Check = (v) => typeof v === 'string' && v.length > 0
const finite: Check = (v) => typeof v === 'number' && Number.isFinite(v)
const nonNeg: Check = (v) => finite(v) && (v as number) >= 0
const count: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0
const positiveInt: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 1
const bool: Check = (v) => typeof v === 'boolean'
const better: Check = (v) => v === 'higher' || v === 'lower'
const jobId: Check = (v) => typeof v === 'string' && isJobId(v)
const flatParams: Check = (v) => isObj(v) && Object.values(v).every((x) => typeof x === 'string' || typeof x === 'boolean' || finite(x))

/** true when `o` has every required key, only known keys, and every value passes its check. */
function exact(o: Record<string, unknown>, required: Record<string, Check>, optional: Record<string, Check> = {}): boolean {
  for (const [k, check] of Object.entries(required)) if (!(k in o) || !check(o[k])) return false
  for (const [k, v] of Object.entries(o)) {
    if (k in required) continue
    const check = optional[k]
    if (check === undefined || !check(v)) return false
  }
  return true
}

const ENV_REQUIRED = { arch: nonEmpty, cpus: positiveInt, kernel: str, version: nonEmpty }
const ENV_OPTIONAL = { stealTicks: count, clocksource: nonEmpty, llcKb: positiveInt, addressLayout: nonEmpty }
const envInfo: Check = (v) => isObj(v) && exact(v, ENV_REQUIRED, ENV_OPTIONAL)

const SCHEMAS: Record<VcworkLine['type'], { required: Record<string, Check>; optional?: Record<string, Check> }> = {
  sample: {
    required: {
      type: str,
      job: jobId,
      metric: nonEmpty,
      unit: nonEmpty,
      better,
      value: nonNeg,
      rep: positiveInt,
      durationMs: nonNeg,
      targetMs: nonNeg,
      iterations: count,
      short: bool,
      params: flatParams,
    },
    optional: { id: count, stealTicksDelta: count },
  },
  summary: { required: { type: str, job: jobId, reps: positiveInt, env: envInfo }, optional: { id: count } },
  error: { required: { type: str, message: nonEmpty }, optional: { id: count, job: jobId } },
  env: { required: { type: str, ...ENV_REQUIRED }, optional: { id: count, ...ENV_OPTIONAL } },
  ready: { required: { type: str, version: nonEmpty, arch: nonEmpty }, optional: { addressLayout: nonEmpty } },
  version: { required: { type: str, version: nonEmpty, arch: nonEmpty }, optional: { id: count } },
  done: { required: { type: str, id: count } },
  listening: {
    required: { type: str, addr: nonEmpty, port: (v) => Number.isSafeInteger(v) && (v as number) > 0 && (v as number) < 65536 },
  },
}

/**
 * Validates one line of vcwork output. Accepts exactly one JSON object of a known type, optionally followed by
 * one line ending ("\n", "\r\n" or a lone "\r" from a serial console). Returns null for anything else.
 */
export function parseVcworkLine(text: string): VcworkLine | null {
  const body = text.replace(/\r?\n$|\r$/, '')
  if (!body.startsWith('{') || !body.endsWith('}') || /[\r\n]/.test(body)) return null
  let v: unknown
  try {
    v = JSON.parse(body)
  } catch {
    return null
  }
  if (!isObj(v) || typeof v.type !== 'string' || !Object.hasOwn(SCHEMAS, v.type)) return null
  const schema = SCHEMAS[v.type as VcworkLine['type']]
  return exact(v, schema.required, schema.optional) ? (v as unknown as VcworkLine) : null
}
