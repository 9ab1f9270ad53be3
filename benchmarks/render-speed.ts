/**
 * Speed of the report layer on the frozen PVM-host fixture (13 jobs x 5 tiers, 64 results):
 * reading+validating a result file and each renderer. Prints mean latency per operation.
 *   npx tsx benchmarks/render-speed.ts
 */
import { readFileSync } from 'node:fs'
import { Bench } from 'tinybench'
import { renderHtml } from '../reports/html/index.js'
import { renderMatrix } from '../reports/terminal-matrix.js'
import { renderMarkdown } from '../reports/markdown.js'
import { renderJunit } from '../reports/junit.js'
import { parseRunReportText } from '../src/io/read-report.js'
import { plainStyle } from '../reports/format/style.js'
const text = readFileSync(new URL('../test/fixtures/reports/pvm-host.json', import.meta.url), 'utf8')
const r = parseRunReportText(text, 'x')
const b = new Bench({ time: 300 })
b.add('parse+validate', () => {
  parseRunReportText(text, 'x')
})
b.add('renderMatrix', () => {
  renderMatrix(r, plainStyle())
})
b.add('renderHtml', () => {
  renderHtml(r)
})
b.add('renderMarkdown', () => {
  renderMarkdown(r)
})
b.add('renderJunit', () => {
  renderJunit(r)
})
await b.run()
for (const t of b.tasks)
  console.log(t.name.padEnd(16), t.result.state === 'completed' ? t.result.latency.mean.toFixed(3) : t.result.state, 'ms mean')
