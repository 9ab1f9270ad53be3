// PLACEHOLDER: replaced by the engineer who owns this command. Must not survive to a submission.
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'

export const setupCommand: Command = {
  name: 'setup',
  summary: '(not built yet)',
  usage: 'virtcheck setup: not built yet',
  run: async () => {
    throw new UsageError('setup: not built yet')
  },
}
