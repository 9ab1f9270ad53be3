/** Kernel build configuration (`/proc/config.gz`, `/boot/config-$r`) -> option -> value. */
import { gunzipSync } from 'node:zlib'

export type KconfigValue = 'y' | 'm' | 'n' | string
export type Kconfig = ReadonlyMap<string, KconfigValue>

/** One multiline regex over the whole text (a per-line split and two regexes per line cost ~10x more cold). */
const LINE = /^[ \t]*(?:CONFIG_([A-Za-z0-9_]+)=(.*?)|# CONFIG_([A-Za-z0-9_]+) is not set)[ \t\r]*$/gm

export const parseKconfig = (text: string): Kconfig => {
  const out = new Map<string, KconfigValue>()
  for (const m of text.matchAll(LINE)) {
    if (m[1] !== undefined && m[2] !== undefined) out.set(m[1], m[2].replace(/^"(.*)"$/, '$1'))
    else if (m[3] !== undefined) out.set(m[3], 'n')
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
