/**
 * Run one QEMU guest: spawn it (own process group, registered for cleanup first), connect to its
 * agent socket, and wait for the agent's ready line within a hard deadline. The kernel console
 * (QEMU's stdout) is kept in a bounded tail: it is the evidence when a boot fails. A guest that is
 * not ready in time, or a QEMU that exits early, rejects with a GuestBootError carrying that tail.
 */
import { connect, type Socket } from 'node:net'
import { stat } from 'node:fs/promises'
import { execa } from 'execa'
import { AgentClient } from '../../agent/client.js'
import type { Cleanup } from '../../core/cleanup.js'
import { LogTailError } from '../../core/errors.js'
import { GUEST_UP_MARKER } from '../../guest/init-script.js'
import { killProcessGroup } from '../../host/process-group.js'

/** The guest did not boot to its agent; `logTail` is the console's tail. */
export class GuestBootError extends LogTailError {
  override name = 'GuestBootError'
}

export interface GuestProcess {
  readonly pid: number
  readonly client: AgentClient
  /** QEMU spawn -> guest init's first line (userspace). */
  readonly userspaceMs: number | undefined
  /** QEMU spawn -> agent ready. */
  readonly bootMs: number
  /** Console (and QEMU stderr) tail. */
  tail(): string
  readonly exited: Promise<string>
  close(): Promise<void>
}

export interface StartGuestOptions {
  readonly label: string
  /** Full argv, possibly prefixed (`ip netns exec NS qemu-system-x86_64 ...`). */
  readonly argv: readonly string[]
  readonly agentSocket: string
  readonly cleanup: Cleanup
  readonly signal: AbortSignal
  readonly startTimeoutMs: number
  readonly log?: (line: string) => void
  /**
   * Extra words for a guest that never became ready (e.g. why the KVM backend cannot boot it), given
   * how it ended: QEMU exited (with the exit description) or the start deadline passed.
   */
  readonly explainFailure?: (ended: GuestEnd) => string | undefined
}

/** How a guest that never became ready ended. */
export type GuestEnd = { readonly kind: 'exited'; readonly how: string; readonly signal?: string } | { readonly kind: 'timed-out' }

/** How long a dead guest's QEMU may take to be reaped after its agent stream ended. */
const EXIT_GRACE_MS = 3_000
/** QEMU stderr lines quoted in the one-line reason (the whole tail stays in logTail). */
const STDERR_LINES_IN_REASON = 3

const TAIL_CHARS = 16_000
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())

export const startGuest = async (o: StartGuestOptions): Promise<GuestProcess> => {
  const [file, ...args] = o.argv
  const t0 = performance.now()
  const child = execa(file!, args, { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, detached: true })
  let consoleTail = ''
  let stderrTail = ''
  let userspaceMs: number | undefined
  child.stdout?.on('data', (c: Buffer) => {
    const text = c.toString('utf8')
    consoleTail = (consoleTail + text).slice(-TAIL_CHARS)
    if (userspaceMs === undefined && consoleTail.includes(GUEST_UP_MARKER)) userspaceMs = performance.now() - t0
  })
  child.stderr?.on('data', (c: Buffer) => {
    stderrTail = (stderrTail + c.toString('utf8')).slice(-TAIL_CHARS / 2)
  })
  // QEMU's own "waiting for connection" notice is expected noise, not evidence. It is filtered from
  // whole lines only: it can arrive split over two reads.
  const stderrText = () => stderrTail.replace(/^.*QEMU waiting for connection.*\n?/gm, '').trim()
  const tail = () =>
    [consoleTail.replace(/\r/g, '').trim() || '(no console output)', stderrText() ? `--- qemu stderr ---\n${stderrText()}` : '']
      .filter(Boolean)
      .join('\n')
  let exitedWhy: string | undefined
  let exitSignal: string | undefined
  const exited: Promise<string> = child.then(
    (r) => {
      exitSignal = r.signal ?? undefined
      return (exitedWhy = describeExit(r.exitCode, r.signal))
    },
    (e: unknown) => (exitedWhy = `failed to run: ${e instanceof Error ? e.message : String(e)}`),
  )
  /** The last few lines QEMU printed on stderr, for the one-line reason. */
  const stderrGist = () => {
    const lines = stderrText()
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
    return lines.slice(-STDERR_LINES_IN_REASON).join(' | ')
  }
  const pid = child.pid
  const killGroup = (sig: NodeJS.Signals) => void killProcessGroup(pid, sig)
  let sock: Socket | undefined
  let client: AgentClient | undefined
  let closed = false
  let booted = false
  const close = async () => {
    if (closed) return
    closed = true
    // A booted guest powers off when its agent quits; give it a moment, then take QEMU down.
    // A guest that never became ready is killed at once (a hung KVM guest must not cost seconds more),
    // and so is one of an interrupted run: its agent is busy in the job that was cut, so a quit went
    // unanswered for 1.5 s and the power-off 3 s more (Ctrl-C in a tcg net.stream took ~4.6 s).
    const graceful = booted && !o.signal.aborted
    if (graceful && client && exitedWhy === undefined) await client.quit(1_500)
    const down = await Promise.race([exited.then(() => true), sleep(graceful ? 3_000 : 0).then(() => false)])
    if (!down) {
      killGroup('SIGTERM')
      if (!(await Promise.race([exited.then(() => true), sleep(graceful ? 2_000 : 500).then(() => false)]))) {
        killGroup('SIGKILL')
        await Promise.race([exited, sleep(2_000)])
      }
    }
    sock?.destroy()
  }
  const undo = o.cleanup.add(`${o.label}: qemu process ${pid ?? '?'}`, close)
  const fail = async (why: string): Promise<never> => {
    await undo()
    throw new GuestBootError(`${o.label}: ${why}`, tail())
  }
  /** QEMU ended before the agent was ready: how it ended, what it said last, and why (if known). */
  const failExited = async (stage: string): Promise<never> => {
    const how = exitedWhy ?? (await exited)
    const said = stderrGist()
    const explain = o.explainFailure?.({ kind: 'exited', how, ...(exitSignal ? { signal: exitSignal } : {}) })
    return fail([`QEMU ${how} ${stage}`, said ? `: ${said}` : '', explain ? `; ${explain}` : ''].join(''))
  }
  /**
   * The agent stream ends when QEMU dies, often a moment before the process is reaped: wait for the
   * exit briefly so the reason is QEMU's, not "stream ended".
   */
  const exitedSoon = async (): Promise<boolean> =>
    exitedWhy !== undefined || (await Promise.race([exited.then(() => true), sleep(EXIT_GRACE_MS).then(() => false)]))
  if (pid === undefined) return fail(`could not start ${file}: ${await exited}`)

  const deadline = t0 + o.startTimeoutMs
  try {
    // QEMU creates the agent socket early and then waits for us (wait=on) before running the guest.
    while (
      !(await stat(o.agentSocket).then(
        (s) => s.isSocket(),
        () => false,
      ))
    ) {
      if (exitedWhy !== undefined) return await failExited('before the guest started')
      if (o.signal.aborted) return await fail('interrupted')
      if (performance.now() > deadline) return await fail(`QEMU did not open its agent socket within ${o.startTimeoutMs} ms`)
      await sleep(10)
    }
    // The file appears at bind(), before QEMU's listen(): a connect in between is refused (seen under
    // load), so a refusal is retried until the deadline like a missing file.
    for (;;) {
      const attempt = await new Promise<Socket | NodeJS.ErrnoException>((resolve) => {
        const s = connect(o.agentSocket)
        s.once('connect', () => resolve(s))
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e))
      })
      if (!(attempt instanceof Error)) {
        sock = attempt
        break
      }
      if (exitedWhy !== undefined) return await failExited('before the guest started')
      if (attempt.code !== 'ECONNREFUSED' || o.signal.aborted || performance.now() > deadline) throw attempt
      await sleep(10)
    }
    client = new AgentClient(sock, sock, o.log ? { log: o.log } : {})
    const remaining = Math.max(1, deadline - performance.now())
    const died = exited.then((why) => ({ kind: 'exit' as const, why }))
    const ready = client.ready(remaining, o.signal).then(
      () => ({ kind: 'ready' as const }),
      (e: unknown) => ({ kind: 'not-ready' as const, why: e instanceof Error ? e.message : String(e) }),
    )
    const first = await Promise.race([ready, died])
    if (first.kind === 'exit') return await failExited('before the agent was ready')
    if (first.kind === 'not-ready') {
      if (o.signal.aborted) return await fail('interrupted')
      if (/within/.test(first.why)) {
        const explain = o.explainFailure?.({ kind: 'timed-out' })
        return await fail(
          `guest did not reach the agent within ${o.startTimeoutMs} ms${userspaceMs === undefined ? ' (no sign of guest userspace on the console)' : ''}${explain ? `; ${explain}` : ''}`,
        )
      }
      if (await exitedSoon()) return await failExited('before the agent was ready')
      return await fail(first.why)
    }
  } catch (e) {
    if (e instanceof GuestBootError) throw e
    if (await exitedSoon()) return failExited('before the agent was ready')
    return fail(e instanceof Error ? e.message : String(e))
  }
  booted = true
  return { pid, client, userspaceMs, bootMs: performance.now() - t0, tail, exited, close: undo }
}

/** "was aborted (SIGABRT)", "was killed by SIGKILL", "exited with code 1". */
export const describeExit = (exitCode: number | undefined, signal: string | undefined | null): string => {
  if (signal === 'SIGABRT') return 'aborted (SIGABRT)'
  if (signal) return `was killed by ${signal}`
  return `exited with code ${exitCode ?? '?'}`
}
