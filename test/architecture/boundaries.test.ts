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

/** `a imports b` for each edge that breaks `bad`, in every file `start` reaches. */
const violations = (starts: readonly string[], bad: (e: ImportEdge) => boolean): string[] => {
  const out = new Set<string>()
  for (const s of starts)
    for (const f of closure(graph, s))
      for (const e of graph.get(f) ?? []) if (bad(e)) out.add(`${s}${f === s ? '' : ` (via ${f})`} imports ${e.spec}`)
  return [...out].sort()
}

const pureLayers = files.filter((f) => ['src/core/', 'src/parse/', 'probes/', 'reports/'].some((p) => f.startsWith(p)))

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

  it('probes, parsers, renderers and core never reach the live system or src/host', () => {
    expect(pureLayers.length).toBeGreaterThan(50)
    expect(violations(pureLayers, (e) => LIVE_SYSTEM.has(e.spec) || (e.target?.startsWith('src/host/') ?? false))).toEqual([])
  })

  it('renderers never import measuring code', () => {
    expect(violations(files.filter(under('reports/')), (e) => MEASURING.some((m) => e.target?.startsWith(m) ?? false))).toEqual([])
  })
})
