import { describe, expect, it } from 'vitest'
import { renderJson } from '../../reports/json.js'
import { renderJunit } from '../../reports/junit.js'
import { renderMarkdown } from '../../reports/markdown.js'
import { parseRunReportText } from '../../src/io/read-report.js'
import { checkWellFormedXml, fixture } from './helpers/fixtures.js'

describe('markdown', () => {
  it('renders a compact matrix and the findings that are not pass', async () => {
    const md = renderMarkdown(fixture('pvm-host.json'))
    await expect(md).toMatchFileSnapshot('__snapshots__/markdown-pvm-host.md')
    const tableRows = md.split('\n').filter((l) => l.startsWith('| '))
    expect(tableRows).toHaveLength(1 + 13) // header + one row per job metric
    for (const row of tableRows) expect(row.split(/(?<!\\)\|/).length).toBe(tableRows[0]!.split(/(?<!\\)\|/).length)
    expect(md).toContain('cpu.virt-extensions')
    expect(md).not.toContain('namespaces.user') // pass findings stay out of a PR comment
  })

  it('merges hosts as column groups', async () => {
    await expect(renderMarkdown([fixture('pvm-host.json'), fixture('bare-metal-kvm.json')])).toMatchFileSnapshot(
      '__snapshots__/markdown-merged.md',
    )
  })

  it('escapes hostile strings', () => {
    const md = renderMarkdown(fixture('hostile-strings.json'))
    expect(md).not.toContain('<script>')
    expect(md).toContain('&lt;script&gt;')
  })
})

describe('junit', () => {
  it('is well-formed XML with findings and jobs as test cases', async () => {
    const report = fixture('pvm-host.json')
    const xml = renderJunit(report)
    await expect(xml).toMatchFileSnapshot('__snapshots__/junit-pvm-host.xml')
    const { elements } = checkWellFormedXml(xml)
    const failedTiers = report.tiers.filter((t) => t.state === 'failed').length
    const notRun = report.tiers.filter((t) => t.state === 'not-ready' || t.state === 'skipped').length
    expect(elements.get('failure')).toBe(
      report.findings.filter((f) => f.status === 'fail').length + report.results.filter((r) => r.state === 'failed').length + failedTiers,
    )
    expect(elements.get('skipped')).toBe(report.findings.filter((f) => f.status === 'unknown' || f.status === 'skip').length + notRun)
    const starts = report.tiers.filter((t) => t.state !== 'completed' || t.bootMs !== undefined).length
    expect(elements.get('testcase')).toBe(report.findings.length + report.results.length + starts)
    const totals = /<testsuites name="virtcheck" tests="(\d+)" failures="(\d+)"/.exec(xml)
    expect(Number(totals?.[1])).toBe(elements.get('testcase'))
    expect(Number(totals?.[2])).toBe(elements.get('failure'))
  })

  it('escapes hostile strings and stays well-formed', () => {
    const xml = renderJunit(fixture('hostile-strings.json'))
    checkWellFormedXml(xml)
    expect(xml).not.toContain('<script>')
    expect(
      renderJunit({ ...fixture('pvm-host.json'), host: { ...fixture('pvm-host.json').host, hostname: 'a\u0001b"<&\uFFFE' } }),
    ).toContain('hostname="a\\x01b&quot;&lt;&amp;\\ufffe"')
  })
})

describe('json', () => {
  it('round-trips through the validator unchanged', () => {
    for (const name of ['pvm-host.json', 'bare-metal-kvm.json', 'hostile-strings.json'] as const) {
      const report = fixture(name)
      const text = renderJson(report)
      expect(text.endsWith('\n')).toBe(true)
      expect(parseRunReportText(text, name)).toEqual(report)
    }
  })
})
