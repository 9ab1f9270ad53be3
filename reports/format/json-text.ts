/**
 * JSON for stdout and files. JSON.stringify leaves DEL, C1 controls, bidi controls and U+2028/U+2029
 * raw, so a hostname in `--json -` could still drive a terminal or reorder text; they are written as
 * \uXXXX escapes instead: the same JSON value, nothing lost, no such byte on the wire.
 */
const RAW = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/g

const escapeOne = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`

/** Escape what JSON.stringify left raw in its output (valid JSON stays valid: these only occur inside strings). */
export const escapeJsonText = (json: string): string => json.replace(RAW, escapeOne)

/** JSON.stringify (two-space indent unless given), escaped, newline-terminated. */
export const jsonText = (value: unknown, replacer?: (key: string, v: unknown) => unknown, indent = 2): string =>
  escapeJsonText(JSON.stringify(value, replacer, indent)) + '\n'
