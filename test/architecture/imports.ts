/**
 * A small import scanner for the boundary test: every static, re-export and dynamic import of the
 * project's TypeScript sources, with relative specifiers resolved to repo paths. Reads files as text
 * (no compiler), so it stays fast.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '../..')

export interface ImportEdge {
  /** Repo-relative path of the importing file. */
  readonly from: string
  /** The specifier as written (`node:fs`, `execa`, `../core/host.js`). */
  readonly spec: string
  /** Repo-relative path of the imported source file, for relative specifiers. */
  readonly target?: string
  /** A dynamic `import()`: loaded when that code runs, not when the importer loads. */
  readonly lazy?: true
}

const tsFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const p = `${dir}/${e.name}`
    if (e.isDirectory()) return tsFiles(p)
    return e.isFile() && p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : []
  })

/** Comments can mention `import('x')`; only code counts. */
const stripComments = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1')

const STATIC_SPECIFIERS = [
  /(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?[^'";]*?\s+from\s+['"]([^'"]+)['"]/g,
  /(?:^|[\n;])\s*import\s+['"]([^'"]+)['"]/g,
]
const DYNAMIC_SPECIFIER = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

export const importsOf = (file: string, text: string): ImportEdge[] => {
  const code = stripComments(text)
  const found = (re: RegExp) => [...code.matchAll(re)].map((m) => m[1] as string)
  const specs = [
    ...STATIC_SPECIFIERS.flatMap(found).map((spec) => ({ spec })),
    ...found(DYNAMIC_SPECIFIER).map((spec) => ({ spec, lazy: true as const })),
  ]
  return specs.map(({ spec, ...lazy }) => {
    if (!spec.startsWith('.')) return { from: file, spec, ...lazy }
    const target = relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts')
    return { from: file, spec, target, ...lazy }
  })
}

/** Every import of every source file below the given folders. */
export const scanImports = (dirs: readonly string[]): Map<string, ImportEdge[]> =>
  new Map(dirs.flatMap(tsFiles).map((f) => [f, importsOf(f, readFileSync(join(ROOT, f), 'utf8'))]))

/** The files a file reaches through relative imports (those `follow` accepts), itself included. */
export const closure = (
  graph: ReadonlyMap<string, readonly ImportEdge[]>,
  start: string,
  follow: (e: ImportEdge) => boolean = () => true,
): Set<string> => {
  const seen = new Set<string>([start])
  const todo = [start]
  for (let f = todo.pop(); f !== undefined; f = todo.pop())
    for (const e of graph.get(f) ?? [])
      if (e.target !== undefined && !seen.has(e.target) && follow(e)) {
        seen.add(e.target)
        todo.push(e.target)
      }
  return seen
}
