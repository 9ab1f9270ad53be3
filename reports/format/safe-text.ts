/**
 * The one sanitiser for text that came from outside the program (host strings, snapshots, saved runs,
 * log tails, guest consoles) on its way into a renderer: every control or escape character is shown
 * visibly (`\x1b`, `\x0d`, `\u202e`), never emitted, so a hostname or a guest console cannot clear the
 * reader's screen, set a window title, forge a hyperlink, move the cursor, fake a line with a bare CR or
 * reorder text with a bidi override. Newline and tab stay (the renderers lay them out). Idempotent.
 */

// C0 except tab and newline, DEL, C1, bidi marks/embeddings/overrides/isolates, BOM, the XML non-characters
// U+FFFE/U+FFFF, and lone surrogates (they cannot be encoded as UTF-8).

const UNSAFE_SOURCE = String.raw`[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]`
const UNSAFE_ONE = new RegExp(UNSAFE_SOURCE)
const UNSAFE_ALL = new RegExp(UNSAFE_SOURCE, 'g')

const visibleEscape = (ch: string): string => {
  const code = ch.charCodeAt(0)
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/** `evil\x1b]0;owned\x07` → `evil\x1b]0;owned\x07` as printable characters. */
export const safeText = (s: string): string => (UNSAFE_ONE.test(s) ? s.replace(UNSAFE_ALL, visibleEscape) : s)

/** Does the string hold a character the sanitiser would change? (for tests and assertions) */
export const hasUnsafeChar = (s: string): boolean => UNSAFE_ONE.test(s)

/**
 * A copy of a parsed document (run report, comparison, history) with every string made safe: applied
 * once where data enters a renderer, so no field can be forgotten. Numbers, booleans and structure are
 * kept; arrays of numbers (samples) are copied without inspection.
 */
export const safeDeep = <T>(value: T): T => walk(value) as T

const walk = (v: unknown): unknown => {
  if (typeof v === 'string') return safeText(v)
  if (Array.isArray(v)) return v.length > 0 && typeof v[0] === 'number' && v.every((x) => typeof x === 'number') ? v : v.map(walk)
  if (v !== null && typeof v === 'object') {
    if (v instanceof Date) return v
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[safeText(k)] = walk(x)
    return out
  }
  return v
}

/**
 * The first `max` characters (code points) of a sanitised string, never ending inside a surrogate
 * pair or a visible escape (`\x1b`, `\u202e`): a cut cannot leave half a sequence behind.
 */
export const cutText = (s: string, max: number): string => {
  const chars = [...s]
  if (chars.length <= max) return s
  let cut = chars.slice(0, Math.max(0, max)).join('')
  const partial = /\\(x[0-9a-f]?|u[0-9a-f]{0,3})?$/.exec(cut)
  if (partial && (partial[1] !== undefined || s.startsWith('x', cut.length) || s.startsWith('u', cut.length)))
    cut = cut.slice(0, partial.index)
  return cut
}

/** For a field that must stay on one line (a name, a label, a reason in a list): newline and tab shown too. */
export const safeLine = (s: string): string => safeText(s).replace(/\n/g, '\\x0a').replace(/\t/g, ' ')
