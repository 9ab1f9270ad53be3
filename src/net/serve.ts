/**
 * `vcwork serve`: the TCP peer of the net.stream / net.rr jobs. Started bounded in time
 * (`--max-seconds`), registered for cleanup, and considered up only once its port is listening
 * (checked with `ss` in the same namespace, so no probe connection disturbs the server).
 */
import { execa } from 'execa'
import type { Cleanup } from '../core/cleanup.js'
import { cmd, NetSetupError } from './ip-command.js'
import { killProcessGroup } from '../host/process-group.js'

export interface ServeProcess {
  readonly pid: number
  readonly listen: string
  /** Stop the server now (idempotent; also registered with the CleanupRegistry). */
  stop(): Promise<void>
  tail(): string
}

export interface StartServeOptions {
  readonly cleanup: Cleanup
  /** e.g. `['ip','netns','exec',NS]`; empty for the host's loopback. */
  readonly argvPrefix: readonly string[]
  readonly vcwork: string
  readonly listen: string
  readonly port: number
  readonly maxSeconds: number
  readonly label: string
  readonly log?: (line: string) => void
  /** @default 5000 */
  readonly readyTimeoutMs?: number
}

export const startServe = async (o: StartServeOptions): Promise<ServeProcess> => {
  const argv = [...o.argvPrefix, o.vcwork, 'serve', '--listen', o.listen, '--max-seconds', String(Math.max(1, Math.ceil(o.maxSeconds)))]
  const [file, ...args] = argv
  const child = execa(file!, args, { reject: false, buffer: false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', detached: true })
  let out = ''
  const keep = (c: Buffer) => {
    out = (out + c.toString('utf8')).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exitedWith: string | undefined
  const exited = child.then(
    (r) => (exitedWith = r.signal ? `killed by ${r.signal}` : `exited with code ${r.exitCode ?? '?'}`),
    (e: unknown) => (exitedWith = `failed: ${e instanceof Error ? e.message : String(e)}`),
  )
  const pid = child.pid ?? -1
  const stop = o.cleanup.add(`${o.label}: vcwork serve (pid ${pid})`, async () => {
    if (exitedWith !== undefined || pid < 0) return
    if (!killProcessGroup(pid, 'SIGTERM')) return
    const gone = await Promise.race([exited.then(() => true), sleep(2000).then(() => false)])
    if (!gone) {
      killProcessGroup(pid, 'SIGKILL')
      await Promise.race([exited, sleep(2000)])
    }
  })
  const deadline = Date.now() + (o.readyTimeoutMs ?? 5000)
  const ssPrefix = o.argvPrefix.length ? [...o.argvPrefix] : []
  for (;;) {
    if (exitedWith !== undefined) {
      await stop()
      throw new NetSetupError(`${o.label}: vcwork serve ${exitedWith} before listening: ${out.trim().slice(-400)}`)
    }
    const ss = await cmd([...ssPrefix, 'ss', '-Hltn', `sport = :${o.port}`], 3000)
    if (ss.ok && ss.stdout.trim() !== '') break
    if (Date.now() > deadline) {
      await stop()
      throw new NetSetupError(
        `${o.label}: vcwork serve did not listen on port ${o.port} within ${o.readyTimeoutMs ?? 5000} ms: ${out.trim().slice(-400)}`,
      )
    }
    await sleep(50)
  }
  o.log?.(`${o.label}: vcwork serve listening on ${o.listen}`)
  return { pid, listen: o.listen, stop, tail: () => out }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref())
