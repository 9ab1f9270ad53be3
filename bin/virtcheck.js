#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`). It checks the Node running
// it first, because npm only warns about `engines` and an old Node fails later with an obscure error.
// Old syntax only, so the check itself runs on the Node versions it turns away. CommonJS (bin/package.json):
// an ESM entry costs ~10 ms more to start, and the bundle it runs is CommonJS too.
// It runs the one-file bundle (dist/bundle/virtcheck.cjs, fast to load) unless tsc's output is newer
// (a bare `tsc -p tsconfig.build.json`), then tsc's output, so an edit is never hidden by an older bundle.
var fs = require('fs')
var path = require('path')
var pathToFileURL = require('url').pathToFileURL
var nodeVersionProblem = require('./node-check.js').nodeVersionProblem
var runBundle = require('./run-bundle.js').runBundle

var problem = nodeVersionProblem(process.version, process.execPath)
if (problem) {
  process.stderr.write(problem + '\n')
  process.exit(2)
}

var mtime = function (file) {
  try {
    return fs.statSync(file).mtimeMs
  } catch (_e) {
    return -1
  }
}
var root = path.resolve(__dirname, '..')
var bundled = path.join(root, 'dist', 'bundle', 'virtcheck.cjs')
var entry = path.join(root, 'dist', 'src', 'cli', 'entry.js')
var bundleTime = mtime(bundled)
if (bundleTime >= 0 && bundleTime >= mtime(entry)) runBundle(bundled)
else if (!fs.existsSync(entry)) {
  process.stderr.write('error: virtcheck is not built yet\nhint: run `npm ci && npm run build` in ' + root + '\n')
  process.exit(2)
} else import(pathToFileURL(entry).href)
