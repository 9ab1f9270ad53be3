// PLACEHOLDER: replaced by the engineer who owns this command. Must not survive to a submission.
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'

export const abCommand: Command = {
  name: 'ab',
  summary: '(not built yet)',
  usage: 'virtcheck ab: not built yet',
  run: async () => {
    throw new UsageError('ab: not built yet')
  },
}
