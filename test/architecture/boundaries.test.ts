/**
 * The import rules of docs/architecture.md ("Arrows"), checked over the whole source tree:
 * core imports no other layer; probes, parsers, renderers and core never reach the live system (not
 * directly, not through what they import); renderers never import measuring code.
 */
import { describe, expect, it } from 'vitest'
import { closure, importsOf, scanImports, type ImportEdge } from './imports.js'

const graph = scanImports(['src', 'probes', 'reports', 'workloads'])
const files = [...graph.keys()]
const under = (prefix: string) => (f: string) => f.startsWith(prefix)

/** Modules that touch the machine: files, processes, host inventory. */
const LIVE_SYSTEM = new Set([
  'node:fs',
  'node:fs/promises',
  'fs',
  'fs/promises',
  'node:child_process',
  'child_process',
  'execa',
  'systeminformation',
])
const MEASURING = ['src/bench/', 'src/tiers/', 'src/agent/', 'src/net/', 'src/guest/', 'src/probe-run/', 'src/host/', 'src/io/']

/** `a imports b` for each edge that breaks `bad`, in every file `start` reaches (through the edges `follow` accepts). */
const violations = (starts: readonly string[], bad: (e: ImportEdge) => boolean, follow?: (e: ImportEdge) => boolean): string[] => {
  const out = new Set<string>()
  for (const s of starts)
    for (const f of closure(graph, s, follow))
      for (const e of graph.get(f) ?? []) if (bad(e)) out.add(`${s}${f === s ? '' : ` (via ${f})`} imports ${e.spec}`)
  return [...out].sort()
}

/** A tier's definition (src/tiers/<family>/definition.ts) names its driver with a lazy import() in loadDriver. */
const isDefinition = (f: string) => /^src\/tiers\/[^/]+\/definition\.ts$/.test(f)
/** Edges loaded with the importer: all but a definition's lazy driver import, which only bench, ab and --deep run. */
const eager = (e: ImportEdge) => !(e.lazy && isDefinition(e.from))

const PURE_FOLDERS = ['src/core/', 'src/parse/', 'probes/', 'reports/', 'src/stats/']
/** Pure files inside live folders: tier definitions, the readiness they decide with, the option tables they check with. */
const PURE_FILES = [
  'src/probe-run/readiness.ts',
  'src/tiers/definitions.ts',
  'src/tiers/readiness-kit.ts',
  'src/tiers/tier-facts.ts',
  'src/tiers/option-checks.ts',
  'src/tiers/container/container-options.ts',
  'src/tiers/container/limit-options.ts',
  'src/tiers/qemu/options.ts',
  'src/tiers/qemu/profiles.ts',
  'src/tiers/user-emu/options.ts',
]
const pureLayers = files.filter((f) => PURE_FOLDERS.some((p) => f.startsWith(p)) || PURE_FILES.includes(f) || isDefinition(f))

describe('import boundaries', () => {
  it('the scanner sees imports of every kind (a blind scanner would pass every rule)', () => {
    expect(graph.size).toBeGreaterThan(150)
    const spec = (f: string) => (graph.get(f) ?? []).map((e) => e.target ?? e.spec)
    expect(spec('src/cli/main.ts')).toContain('src/host/cleanup.ts')
    expect(spec('src/host/run-bounded.ts')).toContain('node:child_process')
    expect(spec('src/cli/commands/index.ts')).toContain('src/cli/commands/probe.ts') // dynamic import()
    const planted = importsOf(
      'reports/x.ts',
      "import type { A } from '../src/bench/plan.js'\nexport { b } from 'execa'\n// import('node:fs')\n",
    )
    expect(planted.map((e) => e.target ?? e.spec)).toEqual(['src/bench/plan.ts', 'execa'])
  })

  it('src/core imports no other layer, not even for types', () => {
    expect(violations(files.filter(under('src/core/')), (e) => e.target === undefined || !e.target.startsWith('src/core/'))).toEqual([])
  })

  it('probes, parsers, renderers, stats, core and tier definitions never reach the live system or src/host', () => {
    expect(pureLayers.length).toBeGreaterThan(50)
    for (const f of PURE_FILES) expect(files).toContain(f)
    expect(pureLayers.filter(isDefinition)).toHaveLength(4)
    expect(violations(pureLayers, (e) => LIVE_SYSTEM.has(e.spec) || (e.target?.startsWith('src/host/') ?? false), eager)).toEqual([])
  })

  it("a tier definition's only lazy import is a driver of its own family", () => {
    const lazy = files.filter(isDefinition).flatMap((f) => (graph.get(f) ?? []).filter((e) => e.lazy))
    expect(lazy.length).toBeGreaterThanOrEqual(4)
    for (const e of lazy) expect(e.target?.startsWith(e.from.replace(/definition\.ts$/, ''))).toBe(true)
  })

  it('renderers never import measuring code', () => {
    expect(violations(files.filter(under('reports/')), (e) => MEASURING.some((m) => e.target?.startsWith(m) ?? false))).toEqual([])
  })
})
