/**
 * The virtcheck entry point: one run(argv) that returns an exit code, and the single top-level error
 * handler (docs/architecture.md, principle 4): usage and input errors print one line (plus a hint) and exit 2; bugs
 * print one line and exit 1; stack traces only with --debug or VIRTCHECK_DEBUG=1. SIGINT, SIGTERM and
 * SIGHUP abort the running command, run every registered cleanup step (partial results are saved by the
 * command), and exit 130 (129 for SIGHUP); a second signal exits at once. A closed stdout or stderr
 * (EPIPE: `virtcheck report r.json | head`; EIO: the terminal is gone) ends output quietly.
 */
import { EXIT, isVirtcheckError } from '../core/errors.js'
import { CleanupRegistry } from '../host/cleanup.js'
import { markThisRun } from '../host/run-mark.js'
import { toolSearchDirs } from '../core/tool-search.js'
import { packageVersion } from '../host/paths.js'
import { resolveStyle } from '../../reports/format/style.js'
import { safeText } from '../../reports/format/safe-text.js'
import { loadAllCommands, loadCommand, loadDefaultCommand } from './commands/index.js'
import type { CliContext, Writer } from './context.js'

const GLOBAL_FLAGS = new Set(['--debug', '--color', '--no-color'])

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
const SIGNAL_NUMBER: Readonly<Record<(typeof STOP_SIGNALS)[number], number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }

/** Errors of a reader that went away: nothing more can be shown, and that is not a failure of the run. */
const isGoneReader = (e: unknown): boolean =>
  ['EPIPE', 'EIO', 'ECONNRESET', 'ERR_STREAM_DESTROYED'].includes((e as { code?: string }).code ?? '')

const writer = (stream: NodeJS.WriteStream): Writer => {
  let gone = false
  // a stream without a reader reports the write error asynchronously; without a listener Node throws it
  if (typeof stream.on === 'function')
    stream.on('error', (e) => {
      if (isGoneReader(e)) gone = true
      else throw e
    })
  return {
    write: (text: string) => {
      if (gone) return
      try {
        stream.write(text)
      } catch (e) {
        if (isGoneReader(e)) gone = true
        else throw e
      }
    },
    get isTTY() {
      return stream.isTTY === true
    },
  }
}

export const helpText = async (): Promise<string> => {
  const visible = (await loadAllCommands()).filter((c) => !c.hidden)
  const pad = Math.max('(no command)'.length, ...visible.map((c) => c.name.length))
  return [
    `virtcheck ${packageVersion()} — what can this host virtualize, what stops it, and what does each kind cost`,
    '',
    'usage: virtcheck [command] [options]',
    '',
    `  ${'(no command)'.padEnd(pad)}  probe + quick benchmark matrix + JSON and HTML reports in a dated folder`,
    ...visible.map((c) => `  ${c.name.padEnd(pad)}  ${c.summary}`),
    '',
    'global options: --debug (stack traces), --color / --no-color (NO_COLOR is honoured), --help, --version',
    'exit codes: 0 ok, 1 failures or regressions, 2 usage or input error, 130 interrupted (SIGINT/SIGTERM), 129 hung up (SIGHUP)',
  ].join('\n')
}

export interface MainIO {
  readonly stdout: NodeJS.WriteStream
  readonly stderr: NodeJS.WriteStream
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
}

export const run = async (argv: readonly string[], io: MainIO): Promise<number> => {
  const debug = argv.includes('--debug') || io.env['VIRTCHECK_DEBUG'] === '1'
  const colorFlag = argv.includes('--no-color') ? false : argv.includes('--color') ? true : undefined
  const rest = argv.filter((a) => !GLOBAL_FLAGS.has(a))
  const styleFor = (s: NodeJS.WriteStream) =>
    resolveStyle({
      isTTY: s.isTTY === true,
      ...(s.columns ? { columns: s.columns } : {}),
      env: io.env,
      ...(colorFlag === undefined ? {} : { colorFlag }),
    })
  const err = writer(io.stderr)
  const errStyle = styleFor(io.stderr)

  const cleanup = new CleanupRegistry()
  const controller = new AbortController()
  let interruptedBy: (typeof STOP_SIGNALS)[number] | undefined
  const onSignal = (sig: (typeof STOP_SIGNALS)[number]) => {
    if (interruptedBy) {
      // a second signal: the user (or the init system) will not wait for the clean-up
      err.write(`${errStyle.chalk.red('forced exit')} (${sig} again): clean-up not finished; \`virtcheck cleanup\` removes what is left\n`)
      process.exit(128 + SIGNAL_NUMBER[sig])
    }
    interruptedBy = sig
    err.write(`\n${errStyle.chalk.yellow('interrupted')} (${sig}): stopping and cleaning up…\n`)
    controller.abort(new Error(`interrupted by ${sig}`))
  }
  const handlers = STOP_SIGNALS.map((sig) => [sig, () => onSignal(sig)] as const)
  for (const [sig, h] of handlers) process.on(sig, h)
  const interruptedCode = () => (interruptedBy === 'SIGHUP' ? EXIT.hangup : EXIT.interrupted)

  try {
    const first = rest[0]
    if (first === '--help' || first === '-h' || first === 'help') {
      io.stdout.write((await helpText()) + '\n')
      return EXIT.ok
    }
    if (first === '--version' || first === '-V') {
      io.stdout.write(packageVersion() + '\n')
      return EXIT.ok
    }
    const isCommandName = first !== undefined && !first.startsWith('-')
    const command = isCommandName ? await loadCommand(first) : await loadDefaultCommand()
    const args = isCommandName ? rest.slice(1) : rest
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout.write(command.usage.trimEnd() + '\n')
      return EXIT.ok
    }
    const ctx: CliContext = {
      out: writer(io.stdout),
      err,
      style: styleFor(io.stdout),
      errStyle,
      debug,
      env: io.env,
      cwd: io.cwd,
      cleanup,
      signal: controller.signal,
      argv,
    }
    const code = await command.run(args, ctx)
    return interruptedBy ? interruptedCode() : code
  } catch (e) {
    if (interruptedBy) return interruptedCode()
    if (isGoneReader(e)) return EXIT.ok
    if (isVirtcheckError(e)) {
      // messages quote file names, flags and file contents: shown through the sanitiser, never raw
      err.write(`${errStyle.chalk.red('error:')} ${safeText(e.message)}\n`)
      if (e.hint) err.write(`${errStyle.chalk.dim('hint:')} ${safeText(e.hint)}\n`)
      if (debug && e.stack) err.write(e.stack + '\n')
      return e.exitCode
    }
    const message = e instanceof Error ? e.message : String(e)
    err.write(
      `${errStyle.chalk.red('internal error:')} ${safeText(message.split('\n')[0] ?? '')} (this is a virtcheck bug; rerun with --debug for details)\n`,
    )
    if (debug && e instanceof Error && e.stack) err.write(e.stack + '\n')
    return EXIT.failed
  } finally {
    const report = await cleanup.runAll()
    for (const f of report.failed) err.write(`${errStyle.chalk.yellow('cleanup failed:')} ${safeText(`${f.label}: ${f.error}`)}\n`)
    for (const [sig, h] of handlers) process.off(sig, h)
  }
}

export const main = async (): Promise<void> => {
  // every process this run starts carries its mark; `virtcheck cleanup` owns processes only by it
  markThisRun()
  // children (setpriv, `ip netns exec`, a container's shell) look tools up by the same rule as the probe
  process.env['PATH'] = toolSearchDirs(process.env['PATH']).join(':')
  const code = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  })
  process.exitCode = code
}
