// PLACEHOLDER: replaced by the engineer who owns this command. Must not survive to a submission.
import { UsageError } from '../../core/errors.js'
import type { Command } from '../context.js'

export const probeCommand: Command = {
  name: 'probe',
  summary: '(not built yet)',
  usage: 'virtcheck probe: not built yet',
  run: async () => {
    throw new UsageError('probe: not built yet')
  },
}
