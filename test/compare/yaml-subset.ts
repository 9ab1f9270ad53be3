/**
 * A strict parser for the YAML subset the CI recipes use (block mappings and sequences, plain and
 * quoted scalars, simple flow collections, `|`/`>` block scalars, comments). It throws on what it does
 * not understand or what YAML rejects (tabs in indentation, bad indentation, duplicate keys,
 * unterminated quotes), so a recipe that parses here is well-formed YAML of that subset.
 */
export type Yaml = string | number | boolean | null | Yaml[] | { [k: string]: Yaml }

interface Line {
  readonly no: number
  readonly indent: number
  text: string
}

const fail = (l: Line | undefined, msg: string): never => {
  throw new Error(`YAML line ${l?.no ?? 'EOF'}: ${msg}`)
}

const stripComment = (s: string): string => {
  let q: string | undefined
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (q) {
      if (c === q) q = undefined
    } else if (c === '"' || c === "'") q = c
    else if (c === '#' && (i === 0 || s[i - 1] === ' ')) return s.slice(0, i).trimEnd()
  }
  return s.trimEnd()
}

const splitFlow = (s: string, l: Line): string[] => {
  const out: string[] = []
  let depth = 0
  let q: string | undefined
  let cur = ''
  for (const c of s) {
    if (q) {
      if (c === q) q = undefined
    } else if (c === '"' || c === "'") q = c
    else if (c === '[' || c === '{') depth++
    else if (c === ']' || c === '}') depth--
    else if (c === ',' && depth === 0) {
      out.push(cur.trim())
      cur = ''
      continue
    }
    cur += c
  }
  if (q || depth !== 0) fail(l, 'unbalanced flow collection or quote')
  if (cur.trim()) out.push(cur.trim())
  return out
}

export const scalar = (raw: string, l: Line): Yaml => {
  const s = raw.trim()
  if (s.startsWith('"')) {
    if (!s.endsWith('"') || s.length < 2) fail(l, 'unterminated double quote')
    try {
      return JSON.parse(s) as string
    } catch {
      return fail(l, `bad double-quoted string ${s}`)
    }
  }
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) fail(l, 'unterminated single quote')
    return s.slice(1, -1).replace(/''/g, "'")
  }
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) fail(l, 'unterminated flow sequence')
    return splitFlow(s.slice(1, -1), l).map((x) => scalar(x, l))
  }
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) fail(l, 'unterminated flow mapping')
    const o: Record<string, Yaml> = {}
    for (const part of splitFlow(s.slice(1, -1), l)) {
      const m = /^([^:]+):\s+(.*)$/.exec(part) ?? /^([^:]+):$/.exec(part)
      if (!m) fail(l, `bad flow mapping entry ${part}`)
      o[String(scalar((m as RegExpExecArray)[1] as string, l))] = scalar((m as RegExpExecArray)[2] ?? '', l)
    }
    return o
  }
  if (s === '' || s === '~' || s === 'null') return null
  if (s === 'true' || s === 'false') return s === 'true'
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s)
  if (/^[&*!|>%@`]/.test(s)) fail(l, `unsupported YAML feature at ${s.slice(0, 20)}`)
  return s
}

export const parseYaml = (text: string): Yaml => {
  const lines: Line[] = text.split('\n').map((t, i) => {
    const indentStr = /^[ \t]*/.exec(t)?.[0] ?? ''
    if (indentStr.includes('\t') && t.trim() !== '') fail({ no: i + 1, indent: 0, text: t }, 'tab in indentation')
    return { no: i + 1, indent: indentStr.length, text: t.slice(indentStr.length) }
  })
  let i = 0
  const skipBlank = () => {
    while (i < lines.length && stripComment((lines[i] as Line).text) === '') i++
  }
  const peek = (): Line | undefined => {
    skipBlank()
    return lines[i]
  }
  const isItem = (l: Line) => l.text === '-' || l.text.startsWith('- ')

  const blockScalar = (parentIndent: number, header: string, l: Line): string => {
    const folded = header.startsWith('>')
    const keep = header.includes('+')
    const strip = header.includes('-')
    const body: string[] = []
    let blockIndent: number | undefined
    while (i < lines.length) {
      const cur = lines[i] as Line
      if (cur.text.trim() === '') {
        body.push('')
        i++
        continue
      }
      if (cur.indent <= parentIndent) break
      blockIndent ??= cur.indent
      if (cur.indent < blockIndent) fail(cur, 'block scalar line is less indented than its first line')
      body.push(' '.repeat(cur.indent - blockIndent) + cur.text)
      i++
    }
    if (blockIndent === undefined && body.every((b) => b === '')) return ''
    while (body.length && body.at(-1) === '' && !keep) body.pop()
    const textOut = folded ? body.join('\n').replace(/([^\n])\n(?=[^\n ])/g, '$1 ') : body.join('\n')
    void l
    return strip ? textOut : textOut + '\n'
  }

  const value = (rest: string, indent: number, l: Line): Yaml => {
    const r = stripComment(rest)
    if (/^[|>][+-]?$/.test(r)) return blockScalar(indent, r, l)
    if (r !== '') return scalar(r, l)
    const next = peek()
    if (!next) return null
    if (next.indent > indent) return block(next.indent)
    if (next.indent === indent && isItem(next)) return sequence(indent)
    return null
  }

  const mapping = (indent: number): Record<string, Yaml> => {
    const out: Record<string, Yaml> = {}
    for (;;) {
      const l = peek()
      if (!l || l.indent < indent) return out
      if (l.indent > indent) fail(l, `unexpected indentation (${l.indent}, expected ${indent})`)
      if (isItem(l)) return out
      const text = stripComment(l.text)
      const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s:#][^:#]*?)\s*:(?:\s+(.*))?$/.exec(text)
      if (!m) fail(l, `expected "key: value", got ${text.slice(0, 40)}`)
      const key = String(scalar((m as RegExpExecArray)[1] as string, l))
      if (key in out) fail(l, `duplicate key ${key}`)
      i++
      out[key] = value((m as RegExpExecArray)[2] ?? '', indent, l)
    }
  }

  const sequence = (indent: number): Yaml[] => {
    const out: Yaml[] = []
    for (;;) {
      const l = peek()
      if (!l || l.indent < indent || !isItem(l)) return out
      if (l.indent > indent) fail(l, 'unexpected indentation in sequence')
      const content = l.text === '-' ? '' : l.text.slice(2)
      const trimmed = stripComment(content)
      if (trimmed === '') {
        i++
        const next = peek()
        out.push(next && next.indent > indent ? block(next.indent) : null)
      } else if (/^("[^"]*"|'[^']*'|[^\s:"'[{#][^:#]*?)\s*:(\s|$)/.test(trimmed)) {
        // `- key: value` starts a mapping indented at the item's content
        const inner = indent + 2 + (content.length - content.trimStart().length)
        lines[i] = { no: l.no, indent: inner, text: content.trimStart() }
        out.push(mapping(inner))
      } else {
        i++
        out.push(value(content, indent, l))
      }
    }
  }

  const block = (indent: number): Yaml => {
    const l = peek()
    if (!l) return null
    return isItem(l) ? sequence(indent) : mapping(indent)
  }

  const first = peek()
  if (!first) return null
  const doc = block(first.indent)
  const rest = peek()
  if (rest) fail(rest, 'content after the end of the document (bad indentation?)')
  return doc
}
