import { describe, expect, it } from 'vitest'
import { CSP, SECTIONS, renderHtml } from '../../reports/html/index.js'
import { esc, jsonForScript, safeLink } from '../../reports/html/escape.js'
import { fixture } from './helpers/fixtures.js'

const embedded = (page: string): unknown => {
  const m = /<script type="application\/json" id="virtcheck-data">([\s\S]*?)<\/script>/.exec(page)
  if (!m) throw new Error('no embedded data')
  return JSON.parse(m[1]!)
}

describe('html report (static checks; the browser test opens it for real)', () => {
  const pvm = fixture('pvm-host.json')

  it('is one self-contained page with every section and a CSP', () => {
    const page = renderHtml(pvm)
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`)
    for (const [id] of SECTIONS) expect(page).toContain(`<section id="${id}">`)
    // nothing that would load: no src/href to another origin, no link/img/iframe elements
    expect(page).not.toMatch(/\ssrc=/i)
    expect(page).not.toMatch(/<link\s/i)
    expect(page.match(/href="https?:/g)?.length ?? 0).toBe(page.match(/rel="noreferrer noopener"/g)?.length ?? 0)
    expect(embedded(page)).toEqual([pvm])
  })

  it('has one matrix cell per result and one bar per non-native ratio', () => {
    const page = renderHtml(pvm)
    const cells = page.match(/data-state="(ok|failed)"/g) ?? []
    expect(cells).toHaveLength(pvm.results.length)
    const withRatio = pvm.results.filter((r) => r.tier !== 'native' && r.state === 'ok').length
    expect(page.match(/<rect class="bar c-/g)).toHaveLength(withRatio)
  })

  it('escapes every hostile string', () => {
    const page = renderHtml(fixture('hostile-strings.json'))
    const scripts = page.match(/<script/g) ?? []
    expect(scripts).toHaveLength(2) // the data block and the page's own script
    expect(/<img|<iframe/i.test(page)).toBe(false)
    expect(page).toContain('&lt;img src=x onerror=alert(3)&gt;')
    expect(page).toContain('evil&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(embedded(page)).toEqual([fixture('hostile-strings.json')])
  })

  it('merges hosts as column groups', () => {
    const page = renderHtml([pvm, fixture('bare-metal-kvm.json')])
    expect(page).toContain('<th class="host" colspan="5">pvm-runner-01</th>')
    expect(page).toContain('<th class="host" colspan="7">bm-kvm-07</th>')
  })

  it('escapes helpers do their job', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
    expect(safeLink('javascript:alert(1)')).toBe('javascript:alert(1)')
    expect(safeLink('https://example.org/a?b=1&c=2')).toBe(
      '<a href="https://example.org/a?b=1&amp;c=2" rel="noreferrer noopener">https://example.org/a?b=1&amp;c=2</a>',
    )
    expect(jsonForScript({ s: '</script><!--' })).toBe('{"s":"\\u003c/script>\\u003c!--"}')
  })
})
