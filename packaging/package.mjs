#!/usr/bin/env node
// `npm run package`: the self-contained virtcheck executable for x86-64 and aarch64, plus a .tar.xz and
// a .deb of each, under build/package/ (gitignored). Steps:
//   1. the static helpers vcwork + vcprobe for both architectures (workloads/build.mjs; needs the cross
//      compiler on the build machine only — users get them inside the executable)
//   2. the app bundled by esbuild into one CommonJS script, with the helpers' SHA-256 defined in it
//   3. one SEA blob (bundle + the four helpers as assets) made by the pinned Node 24 from the npm registry
//   4. per target: that registry's node binary with the blob injected (postject), then the archives
//
// Usage: node packaging/package.mjs [--targets x64,arm64] [--out DIR] [--xz-level 0-9] [--no-archives]
// Exit codes: 0 built, 1 a step failed (one line says which), 2 usage.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildNative, BuildError } from '../workloads/build.mjs'
import { deb, tarXz } from './archives.mjs'
import { bundle } from './bundle.mjs'
import { NODE_VERSION, TARGETS, nodeBinary } from './node-runtime.mjs'
import { inject, makeBlob } from './sea.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const HELPERS = ['vcwork', 'vcprobe']
const USAGE = 'usage: node packaging/package.mjs [--targets x64,arm64] [--out DIR] [--xz-level 0-9] [--no-archives]'

const sha256File = (f) => createHash('sha256').update(fs.readFileSync(f)).digest('hex')
const mib = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`

function parseArgs(argv) {
  const o = { targets: Object.keys(TARGETS), out: path.join(ROOT, 'build', 'package'), xzLevel: 6, archives: true }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => argv[++i] ?? ''
    if (a === '--targets') o.targets = next().split(',').filter(Boolean)
    else if (a === '--out') o.out = path.resolve(next())
    else if (a === '--xz-level') o.xzLevel = Number(next())
    else if (a === '--no-archives') o.archives = false
    else return { error: `unknown option ${a}` }
  }
  const bad = o.targets.find((t) => !(t in TARGETS))
  if (bad !== undefined || o.targets.length === 0) return { error: `--targets takes ${Object.keys(TARGETS).join(',')}` }
  if (!Number.isInteger(o.xzLevel) || o.xzLevel < 0 || o.xzLevel > 9) return { error: '--xz-level takes 0 to 9' }
  return o
}

async function main(argv) {
  const o = parseArgs(argv)
  if ('error' in o) {
    console.error(`package: ${o.error} (${USAGE})`)
    return 2
  }
  if (!(process.arch in TARGETS)) {
    console.error(`package: cannot build on ${process.arch} (the builder runs the registry's Node for x64 or arm64)`)
    return 1
  }
  const log = (l) => console.error(l)
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version
  const work = path.join(o.out, 'work')
  const cache = path.join(ROOT, 'build', 'package-cache')
  fs.mkdirSync(work, { recursive: true })

  // 1. helpers for every architecture: the executable serves both tiers' needs on either host
  const { skipped } = buildNative({ log: () => {} })
  if (skipped.length > 0) throw new BuildError(`${skipped[0]}; the executable must carry both architectures`)
  const assets = {}
  const helpers = {}
  for (const arch of ['x86_64', 'aarch64'])
    for (const name of HELPERS) {
      const file = path.join(ROOT, 'build', 'native', arch, name)
      assets[`${arch}/${name}`] = file
      helpers[`${arch}/${name}`] = sha256File(file)
    }

  // 2. bundle
  const script = path.join(work, 'virtcheck.cjs')
  await bundle({ root: ROOT, outFile: script, embedded: { version, helpers } })
  log(`package: bundle ${mib(fs.statSync(script).size)}`)

  // 3. blob, made by the builder machine's own target of the pinned Node
  const builder = nodeBinary(process.arch, cache, log)
  const blob = path.join(work, 'sea-prep.blob')
  makeBlob({ builderNode: builder, script, assets, blobFile: blob, workDir: work })

  // 4. executables and archives
  const sums = []
  for (const target of o.targets) {
    const exe = path.join(o.out, `virtcheck-linux-${target}`)
    inject({ nodeBin: nodeBinary(target, cache, log), blobFile: blob, outFile: exe })
    const made = [exe]
    if (o.archives) {
      const readme = path.join(ROOT, 'README.md')
      made.push(tarXz({ exe, readme, outDir: o.out, version, target, xzLevel: o.xzLevel }))
      made.push(deb({ exe, readme, outDir: o.out, version, debArch: TARGETS[target].debArch, xzLevel: o.xzLevel }))
    }
    for (const f of made) {
      sums.push(`${sha256File(f)}  ${path.basename(f)}`)
      log(`package: ${path.relative(ROOT, f)} (${mib(fs.statSync(f).size)})`)
    }
  }
  fs.writeFileSync(path.join(o.out, 'SHA256SUMS'), sums.join('\n') + '\n')
  log(`package: virtcheck ${version} on Node ${NODE_VERSION} for ${o.targets.join(', ')}`)
  return 0
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(`package: ${e instanceof Error ? e.message : String(e)}`)
    process.exitCode = 1
  },
)
