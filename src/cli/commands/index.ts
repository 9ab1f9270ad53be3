/**
 * The command catalog. One file per command, loaded only when it runs: importing every command (execa,
 * QEMU drivers, renderers) costs more start-up time than `virtcheck probe` spends probing.
 */
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'

type Loader = () => Promise<Command>

/** Visible commands in --help order; `main` (no command given) and hidden ones are not listed. */
const LOADERS: ReadonlyArray<readonly [string, Loader]> = [
  ['probe', async () => (await import('./probe.js')).probeCommand],
  ['bench', async () => (await import('./bench.js')).benchCommand],
  ['report', async () => (await import('./report.js')).reportCommand],
  ['compare', async () => (await import('./compare.js')).compareCommand],
  ['ab', async () => (await import('./ab.js')).abCommand],
  ['gate', async () => (await import('./gate.js')).gateCommand],
  ['history', async () => (await import('./history.js')).historyCommand],
  ['capture', async () => (await import('./capture.js')).captureCommand],
  ['setup', async () => (await import('./setup.js')).setupCommand],
  ['cleanup', async () => (await import('./cleanup.js')).cleanupCommand],
]

export const COMMAND_NAMES: readonly string[] = LOADERS.map(([name]) => name)

export const loadDefaultCommand = async (): Promise<Command> => (await import('./main-job.js')).mainCommand

export const loadCommand = async (name: string): Promise<Command> => {
  const entry = LOADERS.find(([n]) => n === name)
  if (!entry) throw new UsageError(`unknown command ${JSON.stringify(name)}`, `commands: ${COMMAND_NAMES.join(', ')}`)
  return entry[1]()
}

/** Every command, for --help (the only path that pays for loading them all). */
export const loadAllCommands = async (): Promise<Command[]> => Promise.all(LOADERS.map(([, load]) => load()))
