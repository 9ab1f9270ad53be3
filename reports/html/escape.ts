/**
 * Escaping for the HTML report. Every string that came from a host (hostnames, DMI strings, command
 * output, log tails) passes through `esc`; links are emitted only for http(s) URLs; the embedded JSON
 * cannot close its <script> element or open a comment.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escape for HTML text and double- or single-quoted attribute values. */
export const esc = (s: string | number | boolean): string => String(s).replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch)

/** An <a> for http(s) URLs only (never javascript: or data:); anything else is shown as text. */
export const safeLink = (url: string, text = url): string =>
  /^https?:\/\/[^\s"'<>]+$/i.test(url) ? `<a href="${esc(url)}" rel="noreferrer noopener">${esc(text)}</a>` : esc(text)

/** JSON for `<script type="application/json">`: `<` becomes \u003c, so `</script>` and `<!--` cannot occur. */
export const jsonForScript = (data: unknown): string =>
  JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')

/** Join HTML fragments, skipping empty ones. */
export const html = (parts: readonly (string | false | undefined)[]): string => parts.filter((p): p is string => typeof p === 'string' && p !== '').join('\n')
