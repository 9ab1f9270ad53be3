/**
 * AgentClient: speaks the `vcwork agent` line protocol over any pair of byte streams (a child's
 * stdio, a QEMU serial console, a container's pipes). One JSON object per line; anything else
 * (kernel console noise, shell prompts) is ignored but kept in a bounded tail for failure reports.
 *
 *   -> {"id":7,"job":"cpu.int","reps":1,"params":{"targetMs":200}}
 *   <- {"type":"ready","version":"..","arch":".."}            (once, first)
 *   <- {"type":"sample","id":7,"job":..,"metric":..,"value":..,"rep":..,...}
 *   <- {"type":"done","id":7} | {"type":"error","id":7,"message":".."}
 *
 * A timeout, an abort or the stream ending is data (a failed JobOutcome), never an exception.
 */
import type { JobOutcome, JobRequest, TierSample } from '../core/tier.js'
import { LogTailError } from '../core/errors.js'
import { identOf, parseAgentLine, toTierSample, type AgentIdent, type AgentMessage } from './protocol.js'

export interface AgentClientOptions {
  /** Every raw line the agent printed (for debugging / progress logs). */
  readonly log?: (line: string) => void
  /** How many raw lines the tail keeps. @default 80 */
  readonly tailLines?: number
}

/** The agent did not become ready (no ready line in time, stream ended, aborted). */
export class AgentStartError extends LogTailError {
  override name = 'AgentStartError'
}

type Listener = (msg: AgentMessage) => void

const MAX_LINE_CHARS = 64 * 1024

export class AgentClient {
  private readonly output: NodeJS.WritableStream
  private readonly opts: AgentClientOptions
  private readonly listeners = new Set<Listener>()
  private readonly endListeners = new Set<(why: string) => void>()
  private readonly tailBuf: string[] = []
  private partial = ''
  private nextId = 1
  private endedWhy: string | undefined
  private readyInfo: AgentIdent | undefined

  constructor(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, opts: AgentClientOptions = {}) {
    this.output = output
    this.opts = opts
    input.on('data', (chunk: Buffer | string) => this.onData(typeof chunk === 'string' ? chunk : chunk.toString('utf8')))
    input.on('end', () => this.onEnd('agent output stream ended'))
    input.on('close', () => this.onEnd('agent output stream closed'))
    input.on('error', (e: Error) => this.onEnd(`agent output stream error: ${e.message}`))
    // Writing to a dead agent must not crash the process; the pending request times out or sees the end.
    output.on('error', (e: Error) => this.onEnd(`agent input stream error: ${e.message}`))
  }

  /** The last raw lines the agent printed (console noise included), newest last. */
  tail(): string {
    const lines = this.partial ? [...this.tailBuf, this.partial] : this.tailBuf
    return lines.join('\n')
  }

  /** Why the stream ended, if it has. */
  get ended(): string | undefined {
    return this.endedWhy
  }

  /** Wait for the agent's ready line; lines before it are ignored (but kept in the tail). */
  ready(timeoutMs: number, signal?: AbortSignal): Promise<AgentIdent> {
    if (this.readyInfo) return Promise.resolve(this.readyInfo)
    return new Promise((resolve, reject) => {
      const finish = this.waiter(timeoutMs, signal, (why) => reject(new AgentStartError(why, this.tail())))
      if (!finish) return
      finish.on((msg) => {
        if (msg.type !== 'ready') return false
        resolve(identOf(msg))
        return true
      })
    })
  }

  /** Run one job request; collects its samples until done/error. */
  run(req: JobRequest, timeoutMs: number, signal?: AbortSignal): Promise<JobOutcome> {
    const id = this.nextId++
    return new Promise<JobOutcome>((resolve) => {
      const samples: TierSample[] = []
      // Ctrl-C cuts the batch: the repetitions that completed before it are kept (the run then stops)
      const fail = (why: string) =>
        resolve(
          why === 'interrupted' && samples.length > 0
            ? { kind: 'ok', samples: [...samples] }
            : { kind: 'failed', reason: `${req.job}: ${why}`, logTail: this.tail() },
        )
      const finish = this.waiter(timeoutMs, signal, fail)
      if (!finish) return
      finish.on((msg) => {
        if (!('id' in msg) || msg.id !== id) return false
        if (msg.type === 'sample') {
          samples.push(toTierSample(msg))
          return false
        }
        if (msg.type === 'done') resolve({ kind: 'ok', samples })
        else if (msg.type === 'error') resolve({ kind: 'failed', reason: `${req.job}: ${msg.message}`, logTail: this.tail() })
        else return false
        return true
      })
      this.send({ id, job: req.job, reps: req.reps, params: req.params })
    })
  }

  /** Ask the agent for its environment report; undefined when it does not answer in time. */
  env(timeoutMs: number, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
    const id = this.nextId++
    return new Promise((resolve) => {
      const finish = this.waiter(timeoutMs, signal, () => resolve(undefined))
      if (!finish) return
      finish.on((msg) => {
        if (!('id' in msg) || msg.id !== id || msg.type === 'sample') return false
        resolve(msg.type === 'error' ? undefined : msg.raw)
        return true
      })
      this.send({ id, op: 'env' })
    })
  }

  /** Ask the agent to exit; resolves true when its output stream ended in time. */
  quit(timeoutMs: number): Promise<boolean> {
    if (this.endedWhy !== undefined) return Promise.resolve(true)
    const id = this.nextId++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.endListeners.delete(onEnd)
        resolve(false)
      }, timeoutMs)
      const onEnd = () => {
        clearTimeout(timer)
        this.endListeners.delete(onEnd)
        resolve(true)
      }
      this.endListeners.add(onEnd)
      this.send({ id, op: 'quit' })
    })
  }

  // ---- internals -------------------------------------------------------------------------------

  private send(obj: Record<string, unknown>): void {
    if (this.endedWhy !== undefined) return
    try {
      this.output.write(JSON.stringify(obj) + '\n')
    } catch (e) {
      this.onEnd(`cannot write to agent: ${e instanceof Error ? e.message : String(e)}`)
    }
  }

  /**
   * Common plumbing for one pending exchange: a timeout, the abort signal and stream end all call
   * `onFail` once; `on(handler)` subscribes a message handler that returns true when it is finished.
   * Returns undefined when it already failed (stream ended / aborted before the request was sent).
   */
  private waiter(
    timeoutMs: number,
    signal: AbortSignal | undefined,
    onFail: (why: string) => void,
  ): { on: (handler: (msg: AgentMessage) => boolean) => void } | undefined {
    if (this.endedWhy !== undefined) {
      onFail(this.endedWhy)
      return undefined
    }
    if (signal?.aborted) {
      onFail('interrupted')
      return undefined
    }
    let listener: Listener | undefined
    let settled = false
    const cleanup = () => {
      settled = true
      clearTimeout(timer)
      if (listener) this.listeners.delete(listener)
      this.endListeners.delete(onEnd)
      signal?.removeEventListener('abort', onAbort)
    }
    const failOnce = (why: string) => {
      if (settled) return
      cleanup()
      onFail(why)
    }
    const timer = setTimeout(() => failOnce(`no answer from the agent within ${timeoutMs} ms`), timeoutMs)
    const onEnd = (why: string) => failOnce(why)
    const onAbort = () => failOnce('interrupted')
    this.endListeners.add(onEnd)
    signal?.addEventListener('abort', onAbort, { once: true })
    return {
      on: (handler) => {
        listener = (msg) => {
          if (!settled && handler(msg)) cleanup()
        }
        this.listeners.add(listener)
      },
    }
  }

  private onData(text: string): void {
    this.partial += text
    let nl: number
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl).replace(/\r$/, '')
      this.partial = this.partial.slice(nl + 1)
      this.onLine(line)
    }
    // A runaway line without newline (binary junk on a console) must not grow without bound.
    if (this.partial.length > MAX_LINE_CHARS) {
      this.onLine(this.partial.slice(0, MAX_LINE_CHARS))
      this.partial = ''
    }
  }

  private onLine(line: string): void {
    this.tailBuf.push(line.length > 2000 ? line.slice(0, 2000) + '…' : line)
    const max = this.opts.tailLines ?? 80
    while (this.tailBuf.length > max) this.tailBuf.shift()
    this.opts.log?.(line)
    const msg = parseAgentLine(line)
    if (!msg) return
    // Remember readiness even when nobody is waiting yet (ready() may be called after the line arrived).
    if (msg.type === 'ready' && !this.readyInfo) this.readyInfo = identOf(msg)
    for (const l of [...this.listeners]) l(msg)
  }

  private onEnd(why: string): void {
    if (this.partial) {
      this.onLine(this.partial)
      this.partial = ''
    }
    if (this.endedWhy !== undefined) return
    this.endedWhy = why
    for (const l of [...this.endListeners]) l(why)
  }
}
