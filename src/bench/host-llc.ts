/**
 * The host's last-level caches as the native vcwork reads them (`vcwork env`, llcKb: sysfs, every
 * instance), for the jobs the plan sizes from the host (JobParams.sizeFromHostLlc). undefined when
 * vcwork cannot tell or does not answer in time: those jobs then keep vcwork's own rule in every tier.
 */
import { execa } from 'execa'
import { nativeBinary } from '../host/paths.js'
import { parseVcworkLine } from '../core/workload.js'

export const hostLlcKb = async (): Promise<number | undefined> => {
  const r = await execa(nativeBinary('vcwork'), ['env'], { reject: false, timeout: 5_000 })
  for (const line of String(r.stdout ?? '').split('\n')) {
    const m = parseVcworkLine(line)
    if (m?.type === 'env' && m.llcKb !== undefined) return m.llcKb
  }
  return undefined
}
