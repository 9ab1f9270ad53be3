// Node 24's single-executable-application route: `node --experimental-sea-config` writes a blob of the
// bundle plus the helper assets, and postject injects it into a copy of the target's node binary.
// The blob is made by the x64 builder (same Node version as both targets) without code cache or
// snapshot, which is what lets one blob serve the arm64 binary too.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'

const run = (argv) => {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 })
  if (r.error || r.status !== 0)
    throw new Error(
      `${path.basename(argv[0])} ${argv[1] ?? ''} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}`,
    )
  return r
}

/** Writes the blob for script + assets ({ key: file }) with the builder node. */
export function makeBlob({ builderNode, script, assets, blobFile, workDir }) {
  const config = path.join(workDir, 'sea-config.json')
  fs.writeFileSync(
    config,
    JSON.stringify(
      { main: script, output: blobFile, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false, assets },
      null,
      2,
    ),
  )
  run([builderNode, '--experimental-sea-config', config])
}

/** Copies nodeBin to outFile and injects the blob. */
export function inject({ nodeBin, blobFile, outFile }) {
  const tmp = `${outFile}.tmp-${process.pid}`
  fs.copyFileSync(nodeBin, tmp)
  fs.chmodSync(tmp, 0o755)
  const postject = path.join(path.dirname(require.resolve('postject/package.json')), 'dist', 'cli.js')
  run([process.execPath, postject, tmp, 'NODE_SEA_BLOB', blobFile, '--sentinel-fuse', SEA_FUSE])
  fs.renameSync(tmp, outFile)
}
