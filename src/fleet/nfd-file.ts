/**
 * The NFD `local` source feature file (docs/nfd.md): render it from an NfdSet, and read it back the way
 * nfd-worker does (source/local/local.go) to check that every line is what NFD will accept. The renderer
 * refuses to return a file that fails the check, so an invalid or injected line can never be written.
 */
import { MAX_FEATURE_FILE_BYTES, isValidLabel, labelKeyProblem } from './nfd-rules.js'
import type { NfdSet } from './nfd-labels.js'

/** RFC 3339 without fractional seconds (Go's time.RFC3339 layout). */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

export interface RenderedNfdFile {
  readonly text: string
  /** No-label features left out to stay under NFD's 64 KiB limit. */
  readonly featuresLeftOut: number
}

export const renderNfdFile = (set: NfdSet, opts: { readonly expiresAt: Date; readonly generatedBy: string }): RenderedNfdFile => {
  const head = [
    `# written by ${opts.generatedBy.replace(/[^\x20-\x7e]/g, '?')}; NFD local source feature file (docs/nfd.md)`,
    `# +expiry-time=${rfc3339(opts.expiresAt)}`,
  ]
  const labelLines = set.labels.map((l) => `${l.key}=${l.value}`)
  const featureLines = set.features.flatMap((f) => ['# +no-label', `${f.key}=${f.value}`])
  let kept = featureLines.length
  const text = (n: number) => [...head, ...labelLines, ...featureLines.slice(0, n)].join('\n') + '\n'
  // Leave room: NFD ignores the whole file above 65,536 bytes. Features go first, labels never.
  while (kept > 0 && Buffer.byteLength(text(kept)) >= MAX_FEATURE_FILE_BYTES) kept -= 2
  const out = text(kept)
  const problems = checkNfdFile(out)
  if (problems.length > 0) throw new Error(`NFD feature file failed its own check: ${problems[0]}`)
  return { text: out, featuresLeftOut: (featureLines.length - kept) / 2 }
}

export interface ParsedNfdFile {
  readonly labels: ReadonlyMap<string, string>
  readonly features: ReadonlyMap<string, string>
  readonly expiry?: string
}

/** nfd-worker's reading of one feature file: trimmed lines, `#` comments, `# +` directives, split at the first `=`. */
export const parseNfdFile = (text: string): ParsedNfdFile & { readonly problems: readonly string[] } => {
  const labels = new Map<string, string>()
  const features = new Map<string, string>()
  const problems: string[] = []
  let expiry: string | undefined
  let noLabel = false
  let noFeature = false
  // Go's bufio.Scanner splits on \n and drops a trailing \r; any other byte is part of the line.
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.replace(/\r$/, '').trim()
    if (line === '') return
    if (line.startsWith('#')) {
      if (!line.startsWith('# +')) return
      const d = line.slice(3)
      if (d === 'no-label') noLabel = true
      else if (d === 'no-feature') noFeature = true
      else if (d.startsWith('expiry-time=')) {
        const t = d.slice('expiry-time='.length)
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(t))
          problems.push(`line ${i + 1}: expiry-time ${JSON.stringify(t)} is not RFC 3339`)
        expiry = t
      } else problems.push(`line ${i + 1}: unknown directive ${JSON.stringify(d)}`)
      return
    }
    const eq = line.indexOf('=')
    const key = eq < 0 ? line : line.slice(0, eq)
    const value = eq < 0 ? 'true' : line.slice(eq + 1)
    if (!noLabel) {
      if (!isValidLabel(key, value)) problems.push(`line ${i + 1}: invalid label ${JSON.stringify(line.slice(0, 100))}`)
      else labels.set(key, value)
    } else if (labelKeyProblem(key) !== undefined) problems.push(`line ${i + 1}: invalid feature name ${JSON.stringify(key.slice(0, 100))}`)
    if (!noFeature) features.set(key, value)
    noLabel = false
    noFeature = false
  })
  if (Buffer.byteLength(text) > MAX_FEATURE_FILE_BYTES)
    problems.push(`file is ${Buffer.byteLength(text)} bytes: NFD ignores files over ${MAX_FEATURE_FILE_BYTES}`)
  return { labels, features, problems, ...(expiry === undefined ? {} : { expiry }) }
}

export const checkNfdFile = (text: string): readonly string[] => parseNfdFile(text).problems
