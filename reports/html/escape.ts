/**
 * Escaping for the HTML report. Every string that came from a host (hostnames, DMI strings, command
 * output, log tails) passes through `esc`; links are emitted only for http(s) URLs; the embedded JSON
 * cannot close its <script> element or open a comment.
 */

import { escapeHtml } from '../format/escape.js'

/** Escape for HTML text and double- or single-quoted attribute values (the one home: reports/format/escape.ts). */
export const esc = escapeHtml

/** An <a> for http(s) URLs only (never javascript: or data:); anything else is shown as text. */
export const safeLink = (url: string, text = url): string =>
  /^https?:\/\/[^\s"'<>]+$/i.test(url) ? `<a href="${esc(url)}" rel="noreferrer noopener">${esc(text)}</a>` : esc(text)

/** JSON for `<script type="application/json">`: `<` becomes \u003c, so `</script>` and `<!--` cannot occur. */
export const jsonForScript = (data: unknown): string =>
  JSON.stringify(data)
    .replace(/</g, '\\u003c')
    // C1 controls, line/paragraph separators and bidi controls as \u escapes: the data stays exact, the bytes inert
    .replace(
      /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )

/** Join HTML fragments, skipping empty ones. */
export const html = (parts: readonly (string | false | undefined)[]): string =>
  parts.filter((p): p is string => typeof p === 'string' && p !== '').join('\n')
