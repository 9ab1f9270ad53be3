/**
 * Debian's chromium (no browser download) for the HTML report tests: a page opened from disk with the
 * network cut off, recording console errors and warnings, page errors, dialogs (dismissed) and every
 * request other than the file itself. Under CI=true a missing chromium fails instead of skipping.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = process.env['VIRTCHECK_CHROMIUM'] ?? '/usr/bin/chromium'
export const haveChromium = existsSync(CHROMIUM)
export const inCI = process.env['CI'] === 'true'
export const ARTIFACTS = resolve('.virtcheck', 'test-artifacts')

export const launchChromium = (): Promise<Browser> => {
  if (!haveChromium) throw new Error(`chromium not found at ${CHROMIUM} (CI=true: install Debian's chromium package)`)
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
}

export const openOffline = async (
  browser: Browser,
  file: string,
  o: { javaScriptEnabled: boolean; width: number; acceptDownloads?: boolean },
) => {
  const context = await browser.newContext({
    javaScriptEnabled: o.javaScriptEnabled,
    ...(o.acceptDownloads ? { acceptDownloads: true } : {}),
    viewport: { width: o.width, height: 900 },
  })
  const page = await context.newPage()
  const url = pathToFileURL(file).href
  const problems: string[] = []
  const requests: string[] = []
  const dialogs: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  await context.route('**/*', async (route) => {
    const u = route.request().url()
    if (u === url) return route.continue()
    requests.push(u)
    return route.abort()
  })
  await page.goto(url, { waitUntil: 'load' })
  return { context, page, problems, requests, dialogs }
}
