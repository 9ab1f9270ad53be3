/** `--nfd FILE` for probe and the main job: flags, building, rendering and writing the feature file. */
import { basename, resolve } from 'node:path'
import { UsageError } from '../core/errors.js'
import type { Finding } from '../core/finding.js'
import type { HostContext } from '../core/report.js'
import type { TierReadiness } from '../core/tier.js'
import { checkOutputPath } from '../io/outputs.js'
import { writeNfdFileAtomic } from '../io/write-nfd.js'
import { buildNfdSet, DEFAULT_NFD_PREFIX, parseNfdPrefix } from './nfd-labels.js'
import { renderNfdFile } from './nfd-file.js'

export const NFD_FLAGS = {
  nfd: { type: 'string' },
  'nfd-prefix': { type: 'string' },
  'nfd-ttl': { type: 'string' },
} as const

export const NFD_USAGE = `  --nfd FILE        also write a Node Feature Discovery feature file (docs/nfd.md), e.g.
                    /etc/kubernetes/node-feature-discovery/features.d/virtcheck
  --nfd-prefix P    label prefix (default ${DEFAULT_NFD_PREFIX})
  --nfd-ttl S       labels expire S seconds after the probe (default 3600; 60..2592000)`

export interface NfdOptions {
  readonly file: string
  readonly prefix: string
  readonly ttlS: number
}

/** Validate the flags up front (before any probing), so bad input exits 2 at once. */
export const nfdOptionsFrom = (command: string, values: Readonly<Record<string, unknown>>, cwd: string): NfdOptions | undefined => {
  const file = values['nfd']
  const prefix = values['nfd-prefix']
  const ttl = values['nfd-ttl']
  if (typeof file !== 'string') {
    if (prefix !== undefined || ttl !== undefined) throw new UsageError(`${command}: --nfd-prefix and --nfd-ttl need --nfd FILE`)
    return undefined
  }
  if (file === '' || file.endsWith('/')) throw new UsageError(`${command}: --nfd needs a file name`)
  if (basename(file).startsWith('.'))
    throw new UsageError(`${command}: --nfd ${JSON.stringify(file)}: NFD ignores dot-files; pick a name without a leading dot`)
  const p = parseNfdPrefix(typeof prefix === 'string' ? prefix : DEFAULT_NFD_PREFIX)
  if ('problem' in p) throw new UsageError(`${command}: --nfd-prefix ${p.problem}`)
  const ttlS = typeof ttl === 'string' ? Number(ttl) : 3600
  if (!Number.isInteger(ttlS) || ttlS < 60 || ttlS > 2_592_000)
    throw new UsageError(`${command}: --nfd-ttl must be whole seconds in 60..2592000, got ${JSON.stringify(ttl)}`)
  checkOutputPath(`${command}: --nfd`, resolve(cwd, file))
  return { file: resolve(cwd, file), prefix: `${p.ns}/${p.namePrefix}`, ttlS }
}

export interface NfdWritten {
  readonly labels: number
  readonly features: number
  readonly dropped: readonly string[]
  readonly bytes: number
}

export const emitNfd = async (
  opts: NfdOptions,
  run: { findings: readonly Finding[]; readiness: readonly TierReadiness[]; host: HostContext; probeVersion: string; now?: Date },
): Promise<NfdWritten> => {
  const set = buildNfdSet(run, opts.prefix)
  const now = run.now ?? new Date()
  const file = renderNfdFile(set, { expiresAt: new Date(now.getTime() + opts.ttlS * 1000), generatedBy: `virtcheck ${run.probeVersion}` })
  await writeNfdFileAtomic(opts.file, file.text)
  return {
    labels: set.labels.length,
    features: set.features.length - file.featuresLeftOut,
    dropped: [
      ...set.dropped.map((d) => `${d.key}: ${d.reason}`),
      ...(file.featuresLeftOut > 0 ? [`${file.featuresLeftOut} no-label features (64 KiB limit)`] : []),
    ],
    bytes: Buffer.byteLength(file.text),
  }
}
