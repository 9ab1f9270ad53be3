/**
 * Running `ip` / `nsenter` / `ss` for the network plumbing: argv only, bounded in time, and a
 * failure becomes a NetSetupError carrying the command and its stderr (the runner turns it into a
 * failed tier or failed net jobs, with the reason).
 */
import { execa } from 'execa'

export class NetSetupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NetSetupError'
  }
}

export interface CmdResult {
  readonly ok: boolean
  readonly stdout: string
  readonly stderr: string
  readonly exitCode: number | undefined
}

export const cmd = async (argv: readonly string[], timeoutMs = 10_000): Promise<CmdResult> => {
  const [file, ...args] = argv
  if (!file) throw new Error('cmd: empty argv')
  const r = await execa(file, args, { reject: false, timeout: timeoutMs, stdin: 'ignore' })
  return {
    ok: r.exitCode === 0 && !r.timedOut,
    stdout: String(r.stdout ?? ''),
    stderr: r.timedOut ? `timed out after ${timeoutMs} ms` : String(r.stderr ?? '') || String(r.message ?? ''),
    exitCode: r.exitCode,
  }
}

/** Run and throw NetSetupError on failure. */
export const must = async (argv: readonly string[], timeoutMs?: number): Promise<string> => {
  const r = await cmd(argv, timeoutMs)
  if (!r.ok) throw new NetSetupError(`${argv.join(' ')}: ${r.stderr.trim().split('\n').slice(-2).join(' ') || `exit ${r.exitCode}`}`)
  return r.stdout
}
