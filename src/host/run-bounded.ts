/**
 * Short, bounded commands for the probes (`qemu --version`, `@vcprobe cpuid`, `dmesg`): argv only, no
 * shell, a hard timeout that kills the process, output capped. This deliberately uses node:child_process
 * instead of execa (which docs/architecture.md names for child processes): importing execa alone costs ~75 ms, a
 * quarter of `virtcheck probe`'s 300 ms budget, and these calls need none of its features. Long-running
 * children (agents, QEMU, container runtimes) keep using execa.
 */
import { spawn } from 'node:child_process'
import type { CommandOutcome } from '../core/host.js'
import { scaledTimeoutMs } from './slowness.js'

export interface BoundedRunOptions {
  readonly timeoutMs: number
  readonly input?: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd?: string
  readonly maxBytes: number
}

export const runBounded = (file: string, args: readonly string[], displayName: string, o: BoundedRunOptions): Promise<CommandOutcome> =>
  new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(file, [...args], {
      env: o.env,
      ...(o.cwd === undefined ? {} : { cwd: o.cwd }),
      stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let bytes = 0
    const collect = (sink: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes <= o.maxBytes) sink.push(chunk)
    }
    child.stdout?.on('data', collect(out))
    child.stderr?.on('data', collect(err))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, scaledTimeoutMs(o.timeoutMs)) // a slow (emulated) host waits longer, see slowness.ts
    if (o.input !== undefined) {
      child.stdin?.on('error', () => undefined) // the command may exit without reading its input
      child.stdin?.end(o.input)
    }
    let spawnError: NodeJS.ErrnoException | undefined
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const durationMs = performance.now() - started
      const stdout = Buffer.concat(out).toString('utf8')
      const stderr = Buffer.concat(err).toString('utf8')
      if (spawnError?.code === 'ENOENT') return resolve({ kind: 'not-found', file: displayName })
      if (spawnError) return resolve({ kind: 'error', detail: spawnError.code ?? spawnError.message })
      if (timedOut) return resolve({ kind: 'timed-out', durationMs, stdout, stderr })
      if (code === null) return resolve({ kind: 'killed', signal: signal ?? 'unknown', stdout, stderr })
      resolve({ kind: 'exited', exitCode: code, stdout, stderr, durationMs })
    })
  })
