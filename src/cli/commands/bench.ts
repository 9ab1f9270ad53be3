// PLACEHOLDER: replaced by the engineer who owns this command. Must not survive to a submission.
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'

export const benchCommand: Command = {
  name: 'bench',
  summary: '(not built yet)',
  usage: 'virtcheck bench: not built yet',
  run: async () => {
    throw new UsageError('bench: not built yet')
  },
}
