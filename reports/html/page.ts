/**
 * The page both HTML reports share (the run report, reports/html/index.ts, and the fleet report,
 * reports/fleet/html.ts): one file, a CSP that forbids any external load, a header, a table of
 * contents, one <section> per entry and a footer.
 */
import { esc, html } from './escape.js'

export const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

export interface HtmlPage<Id extends string> {
  /** Text (escaped here): the <title> and the <h1>. */
  readonly title: string
  /** Text (escaped here): the line under the title. */
  readonly sub: string
  readonly css: string
  /** [id, heading] in page order; `body[id]` is the section's HTML. */
  readonly sections: readonly (readonly [Id, string])[]
  readonly body: Readonly<Record<Id, string>>
  /** HTML: the footer's content. */
  readonly footer: string
  /** HTML elements after the footer (the embedded data, the script). */
  readonly tail: readonly string[]
}

export const htmlPage = <Id extends string>(p: HtmlPage<Id>): string =>
  html([
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="virtcheck">',
    `<title>${esc(p.title)}</title>`,
    `<style>${p.css}</style>`,
    '</head><body>',
    `<header class="top"><h1>${esc(p.title)}</h1><div class="sub">${esc(p.sub)}</div></header>`,
    `<nav class="toc">${p.sections.map(([id, t]) => `<a href="#${id}">${esc(t)}</a>`).join('')}</nav>`,
    '<main>',
    ...p.sections.map(([id, t]) => `<section id="${id}"><h2>${esc(t)}</h2>\n${p.body[id]}\n</section>`),
    '</main>',
    `<footer>${p.footer}</footer>`,
    ...p.tail,
    '</body></html>',
    '',
  ])
