// PLACEHOLDER: replaced by the engineer who owns this command. Must not survive to a submission.
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'

export const compareCommand: Command = {
  name: 'compare',
  summary: '(not built yet)',
  usage: 'virtcheck compare: not built yet',
  run: async () => {
    throw new UsageError('compare: not built yet')
  },
}
