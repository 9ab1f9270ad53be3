#!/usr/bin/env node
// The last step of `npm run build`: the CLI as one CommonJS script, dist/bundle/virtcheck.cjs, made
// like the executable's (bundle.mjs, without the embedded helpers: it uses the package folder), which
// bin/virtcheck.js runs with V8's code cache (bin/run-bundle.js). Loading tsc's ~75 ESM files cost
// ~50 ms of a ~250 ms probe (resolve, fs/promises reads, compile, link per file, and lazy compiles).
// Usage: node packaging/dist-bundle.mjs [--out FILE]
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundle } from './bundle.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const DIST_BUNDLE = path.join(ROOT, 'dist', 'bundle', 'virtcheck.cjs')

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out')
  const outFile = i > 0 ? path.resolve(process.argv[i + 1] ?? '') : DIST_BUNDLE
  // written beside and renamed: a CLI started meanwhile never reads half a bundle
  const tmp = `${outFile}.tmp-${process.pid}`
  await bundle({ root: ROOT, outFile: tmp, target: 'node20' })
  fs.renameSync(tmp, outFile)
}
