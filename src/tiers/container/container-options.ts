/**
 * `--tier-opt container.KEY=VALUE` of the built-in container tier, checked and defaulted (pure):
 * cpu-quota=<% of one CPU>, memory-mib=<MiB>, pids-max=<n> (default 4096), userns=<true|false>
 * (default: only when not root).
 */
import { UsageError } from '../../core/errors.js'
import type { TierOpenContext } from '../../core/tier.js'
import { checkOptionKeys, numberOption } from '../option-checks.js'
import type { ContainerLimits } from './limit-options.js'

export const CONTAINER_OPTIONS = ['cpu-quota', 'memory-mib', 'pids-max', 'userns'] as const

export interface ContainerSettings {
  readonly limits: ContainerLimits
  readonly userns: boolean
}

export const containerSettings = (ctx: Pick<TierOpenContext, 'options'>, isRoot: boolean): ContainerSettings => {
  checkOptionKeys('container', ctx.options, CONTAINER_OPTIONS)
  const cpuQuotaPct = numberOption('container', ctx.options, 'cpu-quota', { min: 1, max: 100_000 })
  const memoryMiB = numberOption('container', ctx.options, 'memory-mib', { min: 16, max: 1_048_576 })
  const pidsMax = numberOption('container', ctx.options, 'pids-max', { min: 16, max: 4_194_304 }) ?? 4096
  const rawUserns = ctx.options?.['userns']
  if (rawUserns !== undefined && rawUserns !== 'true' && rawUserns !== 'false')
    throw new UsageError(`--tier-opt container.userns must be true or false, got ${JSON.stringify(rawUserns)}`)
  return {
    limits: {
      ...(cpuQuotaPct !== undefined ? { cpuQuotaPct } : {}),
      ...(memoryMiB !== undefined ? { memoryMiB } : {}),
      pidsMax,
    },
    userns: rawUserns === undefined ? !isRoot : rawUserns === 'true',
  }
}
