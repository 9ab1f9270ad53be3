// PLACEHOLDER: replaced by the engineer who owns this command. Must not survive to a submission.
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'

export const cleanupCommand: Command = {
  name: 'cleanup',
  summary: '(not built yet)',
  usage: 'virtcheck cleanup: not built yet',
  run: async () => {
    throw new UsageError('cleanup: not built yet')
  },
}
