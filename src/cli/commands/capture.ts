// PLACEHOLDER: replaced by the engineer who owns this command. Must not survive to a submission.
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'

export const captureCommand: Command = {
  name: 'capture',
  summary: '(not built yet)',
  usage: 'virtcheck capture: not built yet',
  run: async () => {
    throw new UsageError('capture: not built yet')
  },
}
