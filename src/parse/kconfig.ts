/** Kernel build configuration (`/proc/config.gz`, `/boot/config-$r`) -> option -> value. */
import { gunzipSync } from 'node:zlib'

export type KconfigValue = 'y' | 'm' | 'n' | string
export type Kconfig = ReadonlyMap<string, KconfigValue>

export const parseKconfig = (text: string): Kconfig => {
  const out = new Map<string, KconfigValue>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    const set = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/.exec(line)
    if (set && set[1] !== undefined && set[2] !== undefined) {
      out.set(set[1], set[2].replace(/^"(.*)"$/, '$1'))
      continue
    }
    const unset = /^# CONFIG_([A-Za-z0-9_]+) is not set$/.exec(line)
    if (unset && unset[1] !== undefined) out.set(unset[1], 'n')
  }
  return out
}

/** Gzip (magic 1f 8b) or plain text bytes -> text; undefined when the gzip stream is corrupt. */
export const decodeConfigBytes = (bytes: Uint8Array): string | undefined => {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes).toString('utf8')
    } catch {
      return undefined
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/** `y` or `m` (built in or a module). */
export const kconfigEnabled = (cfg: Kconfig, name: string): boolean | undefined => {
  const v = cfg.get(name)
  if (v === undefined) return undefined
  return v === 'y' || v === 'm'
}
