// PLACEHOLDER: replaced by the engineer who owns this command. Must not survive to a submission.
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'

export const mainCommand: Command = {
  name: 'main',
  summary: '(not built yet)',
  usage: 'virtcheck main-job: not built yet',
  run: async () => {
    throw new UsageError('main-job: not built yet')
  },
}
