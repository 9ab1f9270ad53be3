/** Small pure parsers for one-value and key/value pseudo files. */

/** Module parameters spell booleans Y/N or 1/0 (kvm_amd nested is 1/0: rancher-desktop #3707). */
export const parseBoolParam = (text: string | undefined): boolean | undefined => {
  const v = text?.trim()
  if (v === undefined || v === '') return undefined
  if (/^(y|yes|1|on|true)$/i.test(v)) return true
  if (/^(n|no|0|off|false|-1)$/i.test(v)) return false
  return undefined
}

export const parseIntStrict = (text: string | undefined): number | undefined => {
  const v = text?.trim()
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined
  return Number(v)
}

/** `/proc/cmdline` -> key -> value (`''` for bare flags). The text after ` -- ` belongs to init, not the kernel. */
export const parseCmdline = (text: string): ReadonlyMap<string, string> => {
  const kernelPart = text.split(/\s--\s/)[0] ?? ''
  const out = new Map<string, string>()
  for (const tok of kernelPart.trim().split(/\s+/).filter(Boolean)) {
    const eq = tok.indexOf('=')
    if (eq < 0) out.set(tok, '')
    else out.set(tok.slice(0, eq), tok.slice(eq + 1))
  }
  return out
}

/** `/proc/meminfo`-style `Key:   value kB` -> key -> number (kB for sized values). */
export const parseMeminfo = (text: string): ReadonlyMap<string, number> => {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)/.exec(line)
    if (m && m[1] !== undefined && m[2] !== undefined) out.set(m[1].trim(), Number(m[2]))
  }
  return out
}

/** The selected word of a sysfs choice file: `always [madvise] never` -> `madvise`. */
export const parseBracketChoice = (text: string): string | undefined => /\[([^\]]+)\]/.exec(text)?.[1]

/** `/etc/os-release` -> key -> unquoted value. */
export const parseOsRelease = (text: string): ReadonlyMap<string, string> => {
  const out = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (m && m[1] !== undefined && m[2] !== undefined) out.set(m[1], m[2].replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1'))
  }
  return out
}

/** `/etc/subuid` lines `name_or_uid:start:count`. */
export interface SubIdRange {
  readonly owner: string
  readonly start: number
  readonly count: number
}
export const parseSubIds = (text: string): SubIdRange[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((p): p is [string, string, string] => p.length >= 3 && /^\d+$/.test(p[1] ?? '') && /^\d+$/.test(p[2] ?? ''))
    .map(([owner, start, count]) => ({ owner, start: Number(start), count: Number(count) }))

/** `/etc/passwd` -> uid -> name (to match subuid entries written by name). */
export const parsePasswd = (text: string): ReadonlyMap<number, string> => {
  const out = new Map<number, string>()
  for (const line of text.split('\n')) {
    const p = line.split(':')
    if (p.length >= 3 && p[0] && /^\d+$/.test(p[2] ?? '')) out.set(Number(p[2]), p[0])
  }
  return out
}

/** `/proc/filesystems` -> file system names (`nodev` prefix dropped). */
export const parseFilesystems = (text: string): ReadonlySet<string> =>
  new Set(
    text
      .split('\n')
      .map((l) => l.trim().split(/\s+/).pop() ?? '')
      .filter(Boolean),
  )

/** `/proc/1/environ` (NUL separated) -> the `container=` value, if any. Other variables are not kept. */
export const containerFromEnviron = (text: string): string | undefined => {
  for (const kv of text.split('\0')) if (kv.startsWith('container=')) return kv.slice('container='.length)
  return undefined
}
