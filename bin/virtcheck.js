#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`). It checks the Node running
// it first, because npm only warns about `engines` and an old Node fails later with an obscure error.
// Old syntax only (no top-level await), so the check itself runs on the Node versions it turns away.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { nodeVersionProblem } from './node-check.js'

var problem = nodeVersionProblem(process.version, process.execPath)
if (problem) {
  process.stderr.write(problem + '\n')
  process.exit(2)
}

var entry = new URL('../dist/src/cli/entry.js', import.meta.url)
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'error: virtcheck is not built yet\nhint: run `npm ci && npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)) + '\n',
  )
  process.exit(2)
}
import(entry.href)
