// The app as one CommonJS script (a Node 24 single-executable application needs exactly that; `npm run
// build` makes the same for bin/virtcheck.js, see dist-bundle.mjs): src/cli/entry.ts and its
// dependencies bundled by esbuild, with `import.meta.url` shimmed and, for the executable only, the
// version and embedded helpers' hashes defined for src/host/paths.ts.
import { build } from 'esbuild'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))

/**
 * Bundles to outFile; embedded = { version, helpers: { 'x86_64/vcwork': sha256, ... } } for the
 * executable, undefined for a bundle that uses the package folder (the name then stays undeclared).
 */
export async function bundle({ root, outFile, embedded, target = 'node24' }) {
  const result = await build({
    entryPoints: [path.join(root, 'src', 'cli', 'entry.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target,
    minifySyntax: true,
    legalComments: 'none',
    inject: [path.join(HERE, 'import-meta-url.js')],
    define: { 'import.meta.url': 'importMetaUrl', ...(embedded ? { __VIRTCHECK_EMBEDDED__: JSON.stringify(embedded) } : {}) },
    logLevel: 'warning',
    metafile: true,
  })
  if (result.warnings.length > 0) throw new Error(`esbuild: ${result.warnings.length} warning(s); the bundle must build cleanly`)
  // a dynamic import() left in CommonJS needs a loader callback that neither the SEA nor bin/run-bundle.js has
  const left = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import' && i.external))
  if (left.length > 0)
    throw new Error(`esbuild: dynamic import of ${left.map((i) => i.path).join(', ')} left in the bundle; import it statically`)
  return result
}
