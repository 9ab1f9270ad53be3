#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const entry = new URL('../dist/src/cli/entry.js', import.meta.url)
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('error: virtcheck is not built yet\nhint: run `npm ci && npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)) + '\n')
  process.exit(2)
}
await import(entry.href)
