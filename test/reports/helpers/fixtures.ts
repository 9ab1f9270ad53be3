import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RunReport } from '../../../src/core/report.js'
import { parseRunReportText } from '../../../src/io/read-report.js'

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'reports')
export const fixturePath = (name: string): string => join(FIXTURES, name)
export const fixtureText = (name: string): string => readFileSync(fixturePath(name), 'utf8')
/** A frozen fixture, read through the real validator. */
export const fixture = (name: 'pvm-host.json' | 'bare-metal-kvm.json' | 'hostile-strings.json'): RunReport =>
  parseRunReportText(fixtureText(name), name)

/** Minimal XML well-formedness check: balanced tags, quoted attributes, no raw `<` or `&` in text. */
export const checkWellFormedXml = (xml: string): { elements: Map<string, number> } => {
  const elements = new Map<string, number>()
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '')
  const stack: string[] = []
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy
  let m: RegExpExecArray | null
  let pos = 0
  while (pos < body.length) {
    token.lastIndex = pos
    m = token.exec(body)
    if (!m) throw new Error(`malformed XML at ${pos}: ${JSON.stringify(body.slice(pos, pos + 60))}`)
    pos = token.lastIndex
    const [, close, name, , selfClose, text] = m
    if (text !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`bare & in text near ${JSON.stringify(text.slice(0, 60))}`)
      continue
    }
    if (close) {
      if (stack.pop() !== name) throw new Error(`unbalanced </${name}>`)
    } else {
      elements.set(name!, (elements.get(name!) ?? 0) + 1)
      if (!selfClose) stack.push(name!)
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`)
  return { elements }
}
