/**
 * Hostile host strings for the output tests: terminal control (clear screen, OSC 0 title, OSC 8
 * hyperlink, BEL, CR, C1 CSI, NUL, DEL, a bidi override) and Markdown structure (a setext heading made
 * with bare CR, an ATX heading after a newline, an image, a link, bare autolinks and an e-mail address).
 */
export const PAYLOAD =
  'H0st\x1b[2J\x1b]0;PWNED-TITLE\x07\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\\x07\rFAKE\r===\r\n# fake heading\n' +
  '✅ no regression\n![img](http://evil.example/x.png) [link](http://evil.example/) <http://evil.example/a> www.evil.example http://evil.example/b evil@evil.example ' +
  '\u009b31m C1 \u202eRTL\u202c \x00NUL\x7fDEL \ud800 \ufffe|pipe|'

/** Keys whose values are structure (enums, ids, timestamps the validator checks): left alone. */
const STRUCTURE = new Set([
  'schema',
  'schemaVersion',
  'startedAt',
  'finishedAt',
  'tier',
  'state',
  'better',
  'status',
  'area',
  'mode',
  'code',
  'unit',
  'name',
  'version',
  'format',
  'kind',
])

/** Append the payload to every free-text string of a parsed document. */
export const poison = (v: unknown, key = ''): unknown => {
  if (typeof v === 'string') return STRUCTURE.has(key) ? v : `${v} ${PAYLOAD}`
  if (Array.isArray(v)) return v.map((x) => poison(x, key))
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, poison(x, k)]))
  return v
}

/**
 * Code points a sanitised output must not hold: C0 but tab and newline, DEL, C1, bidi controls, BOM,
 * non-characters, lone surrogates. `allowSgr` first removes this program's own colour sequences.
 */
export const unsafeIn = (text: string, allowSgr = false): string[] => {
  const body = allowSgr ? text.replace(/\x1b\[[0-9;]*m/g, '') : text

  const bad = body.match(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
  )
  return [...new Set(bad ?? [])].map((c) => `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
