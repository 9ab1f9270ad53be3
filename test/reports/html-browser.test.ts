/**
 * The HTML report as a person sees it: Debian's chromium (no browser download) opens the file from
 * disk. Under CI=true a missing chromium fails the test instead of skipping it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SECTIONS, renderHtml } from '../../reports/html/index.js'
import { parseRunReportText } from '../../src/io/read-report.js'
import { fixture } from './helpers/fixtures.js'
import { ARTIFACTS, haveChromium, inCI, launchChromium, openOffline } from '../helpers/browser.js'

describe.runIf(haveChromium || inCI)('HTML report in headless chromium', () => {
  let browser: Browser
  const pages: Record<string, string> = {}

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    const write = (name: string, html: string): void => {
      pages[name] = join(ARTIFACTS, name)
      writeFileSync(pages[name], html)
    }
    write('report.html', renderHtml(fixture('pvm-host.json')))
    write('report-hostile.html', renderHtml(fixture('hostile-strings.json')))
    write('report-merged.html', renderHtml([fixture('pvm-host.json'), fixture('bare-metal-kvm.json')]))
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })

  const open = (file: string, javaScriptEnabled = true) =>
    openOffline(browser, file, { javaScriptEnabled, width: 1280, acceptDownloads: true })

  it('renders every section, the matrix and the charts with no errors and no network', async () => {
    const report = fixture('pvm-host.json')
    const { context, page, problems, requests } = await open(pages['report.html']!)
    for (const [id, title] of SECTIONS) {
      await expect(page.locator(`section#${id} > h2`).textContent()).resolves.toBe(title)
      expect(await page.locator(`section#${id}`).isVisible()).toBe(true)
    }
    expect(await page.locator('table.matrix td[data-state="ok"], table.matrix td[data-state="failed"]').count()).toBe(report.results.length)
    expect(await page.locator('table.matrix tbody tr').count()).toBe(new Set(report.results.map((r) => `${r.job} ${r.metric}`)).size)
    // charts drew: one figure per job metric, bars with a real size on screen
    expect(await page.locator('figure.chart.relative').count()).toBe(13)
    const bars = page.locator('figure.chart.relative svg rect.bar')
    expect(await bars.count()).toBe(report.results.filter((r) => r.tier !== 'native' && r.state === 'ok').length)
    const box = await bars.nth(1).boundingBox()
    expect(box?.width ?? 0).toBeGreaterThan(20)
    expect(await page.locator('figure.chart.boot svg rect.bar').count()).toBe(report.tiers.filter((t) => t.bootMs !== undefined).length)
    expect(await page.locator('figure.chart.memory svg rect.bar').count()).toBe(
      report.tiers.filter((t) => t.overheadRssBytes !== undefined).length,
    )
    // findings with evidence and fixes
    expect(await page.locator('tr.finding').count()).toBe(report.findings.length)
    await expect(page.locator('tr.finding[data-status="fail"]').first().textContent()).resolves.toContain('Fix:')
    // raw data: the script turned the link into a Blob of the embedded JSON that validates back to the report
    const href = await page.locator('a[data-report-index="0"]').getAttribute('href')
    expect(href).toMatch(/^blob:/)
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-report-index="0"]').click()])
    const saved = join(ARTIFACTS, 'downloaded.json')
    await download.saveAs(saved)
    expect(parseRunReportText(readFileSync(saved, 'utf8'), 'downloaded.json')).toEqual(report)
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: false })
    await page.locator('section#matrix').screenshot({ path: join(ARTIFACTS, 'report-matrix.png') })
    expect(problems).toEqual([])
    expect(requests).toEqual([])
    await context.close()
  })

  it('shows hostile host strings as text and runs none of them', async () => {
    const { context, page, problems, requests, dialogs } = await open(pages['report-hostile.html']!)
    await expect(page.locator('.host-summary dd').first().textContent()).resolves.toBe('evil<script>alert(1)</script>')
    expect(await page.locator('body').innerText()).toContain('"><img src=x onerror=alert(3)> Xeon')
    expect(await page.locator('main img, main iframe, main script').count()).toBe(0)
    await page.locator('section#readiness details summary').first().click()
    await page.waitForTimeout(200)
    expect(dialogs).toEqual([])
    expect(requests).toEqual([])
    expect(problems).toEqual([])
    await context.close()
  })

  it('still shows every table with JavaScript disabled', async () => {
    const { context, page, problems } = await open(pages['report-merged.html']!, false)
    const cells = [fixture('pvm-host.json'), fixture('bare-metal-kvm.json')].reduce((n, r) => n + r.results.length, 0)
    expect(await page.locator('table.matrix td[data-state="ok"], table.matrix td[data-state="failed"]').count()).toBe(cells)
    expect(await page.locator('table.matrix th.host').allTextContents()).toEqual(['pvm-runner-01', 'bm-kvm-07'])
    expect(await page.locator('table.findings').count()).toBe(2)
    expect(await page.locator('svg rect.bar').count()).toBeGreaterThan(100)
    expect(await page.locator('#raw-data-nojs').isVisible()).toBe(true)
    await page.screenshot({ path: join(ARTIFACTS, 'report-merged-nojs.png') })
    expect(problems).toEqual([])
    await context.close()
  })
})

it.skipIf(haveChromium || inCI)('chromium is not installed here (set CI=true to make this a failure)', () => {
  expect(haveChromium).toBe(false)
})
