#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`). It checks the Node running
// it first, because npm only warns about `engines` and an old Node fails later with an obscure error.
// Old syntax only (no top-level await), so the check itself runs on the Node versions it turns away.
// It runs the one-file bundle (dist/bundle/virtcheck.cjs, fast to load) unless tsc's output is newer
// (`npm run build:ts` alone), then tsc's output, so an edit is never hidden by an older bundle.
import { existsSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { nodeVersionProblem } from './node-check.js'
import { runBundle } from './run-bundle.js'

var problem = nodeVersionProblem(process.version, process.execPath)
if (problem) {
  process.stderr.write(problem + '\n')
  process.exit(2)
}

var mtime = function (file) {
  try {
    return statSync(file).mtimeMs
  } catch (_e) {
    return -1
  }
}
var bundled = fileURLToPath(new URL('../dist/bundle/virtcheck.cjs', import.meta.url))
var entry = new URL('../dist/src/cli/entry.js', import.meta.url)
var bundleTime = mtime(bundled)
if (bundleTime >= 0 && bundleTime >= mtime(fileURLToPath(entry))) runBundle(bundled)
else if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'error: virtcheck is not built yet\nhint: run `npm ci && npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)) + '\n',
  )
  process.exit(2)
} else import(entry.href)
