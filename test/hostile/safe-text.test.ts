import { describe, expect, it } from 'vitest'
import { escapeHtml, escapeMarkdown, escapeXml, markdownCode } from '../../reports/format/escape.js'
import { truncate } from '../../reports/format/numbers.js'
import { cutText, hasUnsafeChar, safeDeep, safeLine, safeText } from '../../reports/format/safe-text.js'
import { clipLine, plainText } from '../../reports/format/segments.js'

describe('safeText: control characters shown, never emitted', () => {
  it('makes C0, DEL, C1, bidi controls and lone surrogates visible; keeps newline, tab and emoji', () => {
    expect(safeText('a\x1b]0;t\x07b\r\nc\td\x7f\x9b\u202e\ud800😀')).toBe('a\\x1b]0;t\\x07b\\x0d\nc\td\\x7f\\x9b\\u202e\\ud800😀')
    expect(hasUnsafeChar(safeText('\x00\x1b\u2066'))).toBe(false)
    expect(safeText(safeText('\x1b'))).toBe('\\x1b')
    expect(safeLine('a\nb\tc')).toBe('a\\x0ab c')
  })
  it('safeDeep reaches every string, keys included, and keeps numbers', () => {
    expect(safeDeep({ 'k\x1b': ['\x07', 1], n: [1, 2], o: { s: '\r' }, b: true })).toEqual({
      'k\\x1b': ['\\x07', 1],
      n: [1, 2],
      o: { s: '\\x0d' },
      b: true,
    })
  })
})

describe('truncation cannot split a sequence', () => {
  it('never ends inside a visible escape or a surrogate pair', () => {
    for (let n = 0; n < 8; n++) expect(cutText('ab\\x1bcd', n)).toMatch(/^(|a|ab|ab\\x1b|ab\\x1bc|ab\\x1bcd)$/)
    expect(truncate('😀😀😀😀', 3)).toBe('😀😀…')
    expect(plainText(clipLine([{ text: 'x\\u202ey' }], 5, true))).toBe('x…')
  })
})

describe('one home for escaping', () => {
  it('HTML and XML entities, XML-invalid characters dropped, C1 shown', () => {
    expect(escapeHtml('<a href="x">&\'\x1b')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;\\x1b')
    expect(escapeXml('a\x01b\ufffe\uffff"<\x9b')).toBe('ab&quot;&lt;\\x9b')
  })
  it('Markdown: no block, link, image, autolink or e-mail link survives', () => {
    const md = escapeMarkdown('x\r===\n# h ![i](u) [l](u) <http://e> www.e.com http://e.com a@b.com |c| *e* _f_ ~g~')
    expect(md).not.toMatch(/[\r\n]/)
    expect(md).toContain('\\x0d===')
    expect(md).toContain('\\!\\[i\\](u)')
    expect(md).toContain('www\\.e.com')
    expect(md).toContain('http\\://e.com')
    expect(md).toContain('a\u2060@b.com')
    expect(md).toContain('\\|c\\|')
    expect(markdownCode('a`b\nc')).toBe("`a'b c`")
  })
})
