/**
 * Can the installed CRIU run on this kernel? One home for the decision that both software.criu and the
 * os-features checkpoint/live-migration rows use. CRIU before 4.1 cannot start on kernels from 6.13
 * on: its vDSO parser rejects the new vvar layout ("vdso: Unexpected rt vDSO area bounds", criu issue
 * #2532), so every dump, restore and `criu check` fails (Debian 12 ships 3.17).
 */
import type { Host } from '../../src/core/host.js'
import { memo, versionOf, which } from './facts.js'

export interface CriuState {
  readonly path: string | undefined
  /** `3.17.1` */
  readonly version: string | undefined
  /** Why the version is unknown (`criu --version: timed out after 3000 ms`). */
  readonly versionWhy: string | undefined
  readonly versionTimedOut: boolean
  /** Why this criu cannot run on this kernel, when known from the versions alone. */
  readonly kernelBlocks: string | undefined
}

const nums = (v: string): number[] => v.split('.').map((x) => Number.parseInt(x, 10) || 0)
const atLeast = (a: number[], b: number[]): boolean => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0)
  return true
}

/** Pure: the reason a criu version cannot start on a kernel release, if any. */
export const criuKernelBlock = (criuVersion: string, kernelRelease: string): string | undefined => {
  const k = /^(\d+)\.(\d+)/.exec(kernelRelease)
  if (!k) return undefined
  const kernel = [Number(k[1]), Number(k[2])]
  if (atLeast(kernel, [6, 13]) && !atLeast(nums(criuVersion), [4, 1]))
    return `criu ${criuVersion} cannot start on kernel ${k[1]}.${k[2]} (kernels from 6.13 changed the vDSO layout; criu fails with "Unexpected rt vDSO area bounds" until 4.1)`
  return undefined
}

export const criuState = (host: Host): Promise<CriuState> =>
  memo(host, 'criu-state', async () => {
    const path = await which(host, 'criu')
    if (!path) return { path, version: undefined, versionWhy: undefined, versionTimedOut: false, kernelBlocks: undefined }
    const v = await versionOf(host, [path, '--version'])
    const version = v.line?.match(/Version:\s*(\d+(?:\.\d+)*)/)?.[1] ?? v.line?.match(/(\d+\.\d+(?:\.\d+)?)/)?.[1]
    return {
      path,
      version,
      versionWhy: v.why ?? (version ? undefined : `unrecognised version line ${JSON.stringify(v.line)}`),
      versionTimedOut: v.timedOut === true,
      kernelBlocks: version ? criuKernelBlock(version, host.identity.kernelRelease) : undefined,
    }
  })
