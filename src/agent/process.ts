/**
 * Start a `vcwork agent` as a child process (natively, or wrapped: `unshare ... vcwork agent`,
 * `lxc-execute ... -- /bin/vcwork agent`, `qemu-aarch64-static vcwork agent`) and wait for its ready
 * line. The child is registered for cleanup before anything can fail, and killed (process group) on
 * close, abort or timeout. Shared by every tier whose agent speaks over a child's stdio.
 */
import { execa } from 'execa'
import type { Cleanup } from '../core/cleanup.js'
import { AgentClient, AgentStartError } from './client.js'
import { killProcessGroup } from '../host/process-group.js'

export interface AgentProcess {
  readonly client: AgentClient
  readonly pid: number
  /** Spawn to ready line. */
  readonly bootMs: number
  readonly version: string
  readonly arch: string
  /** "fixed", or "randomized (why)" (vcwork's env.c); absent from older agents. */
  readonly addressLayout?: string
  /** Last lines of the agent's stdout (console) and stderr. */
  tail(): string
  /** Ask the agent to quit, then kill what is left. Idempotent. */
  close(): Promise<void>
  /** Resolves with a description once the process has exited. */
  readonly exited: Promise<string>
}

export interface StartAgentOptions {
  readonly label: string
  readonly cleanup: Cleanup
  readonly signal: AbortSignal
  readonly startTimeoutMs: number
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  readonly log?: (line: string) => void
  /** Called with the pid right after spawn, before the ready line (e.g. to move it into cgroups). */
  readonly onSpawn?: (pid: number) => Promise<void>
  /** Written to the child's stdin after onSpawn (releases a gate that waits for the cgroup move). */
  readonly afterSpawnInput?: string
}

/** What every tier's config records about its agent (the vcwork build and the address layout it got). */
export const agentConfig = (a: Pick<AgentProcess, 'version' | 'addressLayout'>): Record<string, string> => ({
  vcworkVersion: a.version,
  vcworkAddressLayout: a.addressLayout ?? 'not reported',
})

const STDERR_TAIL_CHARS = 8_000

export const startAgentProcess = async (argv: readonly string[], o: StartAgentOptions): Promise<AgentProcess> => {
  const [file, ...args] = argv
  if (file === undefined) throw new Error('startAgentProcess: empty argv')
  const t0 = performance.now()
  const child = execa(file, args, {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    detached: true, // own process group, so a kill reaches wrappers and their children
    ...(o.env ? { env: o.env, extendEnv: true } : {}),
    ...(o.cwd ? { cwd: o.cwd } : {}),
  })
  let stderrTail = ''
  child.stderr?.on('data', (c: Buffer) => {
    stderrTail = (stderrTail + c.toString('utf8')).slice(-STDERR_TAIL_CHARS)
  })
  const exited: Promise<string> = child.then(
    (r) => (r.signal ? `killed by ${r.signal}` : `exited with code ${r.exitCode ?? '?'}`),
    (e: unknown) => `failed to run: ${e instanceof Error ? e.message : String(e)}`,
  )
  const pid = child.pid
  const killGroup = (sig: NodeJS.Signals) => void killProcessGroup(pid, sig)
  let closed = false
  const client = new AgentClient(child.stdout!, child.stdin!, o.log ? { log: o.log } : {})
  const tail = () => [client.tail(), stderrTail.trim() ? `--- stderr ---\n${stderrTail.trim()}` : ''].filter(Boolean).join('\n')

  const close = async () => {
    if (closed) return
    closed = true
    const quitOk = await client.quit(1_500)
    if (!quitOk) killGroup('SIGTERM')
    const gone = await Promise.race([exited.then(() => true), sleep(2_000).then(() => false)])
    if (!gone) {
      killGroup('SIGKILL')
      await Promise.race([exited, sleep(2_000)])
    }
  }
  const undo = o.cleanup.add(`${o.label}: agent process ${pid ?? '?'}`, close)

  if (pid === undefined) {
    await undo()
    throw new AgentStartError(`${o.label}: could not start ${file}: ${await exited}`, tail())
  }
  try {
    if (o.onSpawn) await o.onSpawn(pid)
    if (o.afterSpawnInput !== undefined) child.stdin?.write(o.afterSpawnInput)
    const died = exited.then((why): never => {
      throw new AgentStartError(`${o.label}: agent ${why} before it was ready`, tail())
    })
    died.catch(() => undefined) // the race below may settle first; never an unhandled rejection
    const info = await Promise.race([client.ready(o.startTimeoutMs, o.signal), died])
    return { client, pid, bootMs: performance.now() - t0, ...info, tail, close: undo, exited }
  } catch (e) {
    await undo()
    if (e instanceof AgentStartError)
      throw new AgentStartError(e.message.startsWith(o.label) ? e.message : `${o.label}: ${e.message}`, tail())
    throw e
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())
