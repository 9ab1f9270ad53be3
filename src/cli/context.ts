/**
 * What every command receives: output streams, the resolved Style, the cleanup registry and an
 * AbortSignal that fires on SIGINT/SIGTERM. Commands print their product to `out` and progress,
 * warnings and "written to" lines to `err`, so `virtcheck bench --json - | jq` always works.
 */
import type { Style } from '../../reports/format/style.js'
import type { CleanupRegistry } from '../host/cleanup.js'

export interface Writer {
  write(text: string): void
  readonly isTTY: boolean
}

export interface CliContext {
  readonly out: Writer
  readonly err: Writer
  readonly style: Style
  /** Style for stderr (may differ from stdout when one of them is redirected). */
  readonly errStyle: Style
  readonly debug: boolean
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  readonly cleanup: CleanupRegistry
  /** Aborted on SIGINT/SIGTERM; long operations must stop promptly and let cleanup run. */
  readonly signal: AbortSignal
  /** The argv virtcheck was started with (recorded in results for reproduction). */
  readonly argv: readonly string[]
}

export interface Command {
  readonly name: string
  /** One line for `virtcheck --help`. */
  readonly summary: string
  /** Full usage text for `virtcheck <name> --help`. */
  readonly usage: string
  /** Returns the exit code. Throw UsageError/InputFileError for bad input. */
  run(args: readonly string[], ctx: CliContext): Promise<number>
  /** Hidden commands are not listed in --help. */
  readonly hidden?: boolean
}
