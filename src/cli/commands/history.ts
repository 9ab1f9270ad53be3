// PLACEHOLDER: replaced by the engineer who owns this command. Must not survive to a submission.
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'

export const historyCommand: Command = {
  name: 'history',
  summary: '(not built yet)',
  usage: 'virtcheck history: not built yet',
  run: async () => {
    throw new UsageError('history: not built yet')
  },
}
