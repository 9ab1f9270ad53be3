/** `--tier-opt` limits shared by the lxc, docker and podman tiers: cpu-quota, memory-mib, pids-max. */
import type { TierId } from '../../core/tier.js'
import { checkOptionKeys, numberOption } from '../option-checks.js'

/** The limits virtcheck writes into a container's cgroups (src/tiers/container/cgroups.ts). */
export interface ContainerLimits {
  readonly cpuQuotaPct?: number
  readonly memoryMiB?: number
  readonly pidsMax?: number
}

export interface LimitOptions {
  readonly cpuQuotaPct?: number
  readonly memoryMiB?: number
  readonly pidsMax: number
}

export const LIMIT_OPTION_KEYS = ['cpu-quota', 'memory-mib', 'pids-max'] as const

export const parseLimitOptions = (tier: TierId, options: Readonly<Record<string, string>> | undefined): LimitOptions => {
  checkOptionKeys(tier, options, LIMIT_OPTION_KEYS)
  const cpuQuotaPct = numberOption(tier, options, 'cpu-quota', { min: 1, max: 100_000 })
  const memoryMiB = numberOption(tier, options, 'memory-mib', { min: 16, max: 1_048_576 })
  const pidsMax = numberOption(tier, options, 'pids-max', { min: 16, max: 4_194_304 }) ?? 4096
  return { ...(cpuQuotaPct !== undefined ? { cpuQuotaPct } : {}), ...(memoryMiB !== undefined ? { memoryMiB } : {}), pidsMax }
}
