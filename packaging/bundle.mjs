// The app as one CommonJS script (a Node 24 single-executable application needs exactly that):
// src/cli/entry.ts and its dependencies bundled by esbuild, with `import.meta.url` shimmed and the
// version and embedded helpers' hashes defined for src/host/paths.ts.
import { build } from 'esbuild'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))

/** Bundles to outFile; embedded = { version, helpers: { 'x86_64/vcwork': sha256, ... } }. */
export async function bundle({ root, outFile, embedded }) {
  const result = await build({
    entryPoints: [path.join(root, 'src', 'cli', 'entry.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minifySyntax: true,
    legalComments: 'none',
    inject: [path.join(HERE, 'import-meta-url.js')],
    define: { 'import.meta.url': 'importMetaUrl', __VIRTCHECK_EMBEDDED__: JSON.stringify(embedded) },
    logLevel: 'warning',
    metafile: true,
  })
  if (result.warnings.length > 0) throw new Error(`esbuild: ${result.warnings.length} warning(s); the bundle must build cleanly`)
  return result
}
