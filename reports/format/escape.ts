/**
 * Every escaping for a markup output, in one place: HTML (report, history page), XML (JUnit, SVG) and
 * Markdown (report, compare, history). Each first applies the sanitiser (reports/format/safe-text.ts), so
 * even a string that skipped it cannot carry a control character into the file.
 */
import { safeText } from './safe-text.js'

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** HTML text and double- or single-quoted attribute values. */
export const escapeHtml = (s: string | number | boolean): string => safeText(String(s)).replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] ?? ch)

const XML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }

/**
 * XML 1.0 text and attributes. Characters XML cannot carry at all (C0 but tab/LF/CR, U+FFFE, U+FFFF,
 * lone surrogates) are dropped first; what remains unsafe for a terminal is then shown visibly.
 */
export const escapeXml = (s: string): string =>
  safeText(
    s.replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '',
    ),
  ).replace(/[&<>"']/g, (ch) => XML_ENTITIES[ch] ?? ch)

/**
 * Markdown inline text (a table cell, a heading, a list item): nothing in it can open a block (newlines
 * and CR become a space or a visible `\x0d`), end a table cell, emphasise, or make HTML, a link, an image
 * or an autolink (GFM links bare `www.`, `scheme://` and e-mail addresses; an escaped `.`/`:` and a word
 * joiner before `@` stop that).
 */
export const escapeMarkdown = (s: string): string =>
  safeText(s)
    .replace(/\r?\n|\t/g, ' ')
    .replace(/[\\`*_[\]#!|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/(www)\./gi, '$1\\.')
    .replace(/:(?=\/)/g, '\\:')
    .replace(/(?<=[A-Za-z0-9.+_-])@/g, '\u2060@')

/** Markdown inline code (`like this`): the content is literal, so only a backtick or a newline could escape it. */
export const markdownCode = (s: string): string =>
  '`' +
  safeText(s)
    .replace(/\r?\n|\t/g, ' ')
    .replace(/`/g, "'") +
  '`'
