/**
 * Exceptions are for misuse and bugs only (docs/architecture.md, principle 4). A failing measured thing is data.
 * Every usage error has a stable code and leads to exit code 2 through the single handler in cli/main.ts.
 */

/** 130: interrupted by SIGINT or SIGTERM; 129: by SIGHUP (the terminal or SSH session went away). */
export const EXIT = { ok: 0, failed: 1, usage: 2, hangup: 129, interrupted: 130 } as const

export class VirtcheckError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly exitCode: number
  constructor(code: string, message: string, opts: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'VirtcheckError'
    this.code = code
    this.hint = opts.hint
    this.exitCode = opts.exitCode ?? EXIT.usage
  }
}

/** Bad flags, bad values, unknown ids. */
export class UsageError extends VirtcheckError {
  constructor(message: string, hint?: string) {
    super('VIRTCHECK_USAGE', message, hint === undefined ? {} : { hint })
    this.name = 'UsageError'
  }
}

/** A file the user gave us is missing, unreadable, truncated, foreign or from a newer major version. */
export class InputFileError extends VirtcheckError {
  constructor(message: string, hint?: string) {
    super('VIRTCHECK_BAD_INPUT', message, hint === undefined ? {} : { hint })
    this.name = 'InputFileError'
  }
}

/**
 * A start that failed with evidence (not a usage error): `logTail` is what the failing process printed
 * last (the agent's output, the guest's console), shown with the failure. The subclasses say who
 * failed, and callers tell them apart: AgentStartError (src/agent/client.ts), GuestBootError
 * (src/tiers/qemu/guest-process.ts).
 */
export class LogTailError extends Error {
  readonly logTail: string
  constructor(message: string, logTail: string) {
    super(message)
    this.name = 'LogTailError'
    this.logTail = logTail
  }
}

export const isVirtcheckError = (e: unknown): e is VirtcheckError => e instanceof VirtcheckError
