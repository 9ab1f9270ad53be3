// PLACEHOLDER: replaced by the engineer who owns this command. Must not survive to a submission.
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'

export const reportCommand: Command = {
  name: 'report',
  summary: '(not built yet)',
  usage: 'virtcheck report: not built yet',
  run: async () => {
    throw new UsageError('report: not built yet')
  },
}
