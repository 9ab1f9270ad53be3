/**
 * The command catalog. One file per command; `main` is the default (no command given).
 */
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'
import { benchCommand } from './bench.js'
import { captureCommand } from './capture.js'
import { cleanupCommand } from './cleanup.js'
import { compareCommand } from './compare.js'
import { historyCommand } from './history.js'
import { mainCommand } from './main-job.js'
import { probeCommand } from './probe.js'
import { reportCommand } from './report.js'
import { setupCommand } from './setup.js'
import { abCommand } from './ab.js'

export const COMMANDS: readonly Command[] = [
  probeCommand,
  benchCommand,
  reportCommand,
  compareCommand,
  abCommand,
  historyCommand,
  captureCommand,
  setupCommand,
  cleanupCommand,
]

export const DEFAULT_COMMAND: Command = mainCommand

export const findCommand = (name: string): Command => {
  const c = COMMANDS.find((x) => x.name === name)
  if (!c) throw new UsageError(`unknown command ${JSON.stringify(name)}`, `commands: ${COMMANDS.filter((x) => !x.hidden).map((x) => x.name).join(', ')}`)
  return c
}
