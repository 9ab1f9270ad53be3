#!/usr/bin/env node
// Builds every native binary of the project into build/native/<arch>/ (runs before tsc; plain Node ESM).
//
//   build/native/<host arch>/vcwork    always (needs gcc + the static C library, Debian: gcc libc6-dev)
//   build/native/<host arch>/vcprobe   when probes/native/vcprobe.c exists
//   build/native/<foreign arch>/vcwork and vcprobe when the cross compiler exists (x86_64 host: aarch64-linux-gnu-gcc),
//                                      otherwise one line says the foreign-arch tier will not be available
//
// Incremental: a binary is rebuilt only when the SHA-256 of its inputs (sources, flags, compiler identity,
// version) differs from the stamp written next to it. Outputs are written to a temporary name and renamed,
// so concurrent builds never expose a half-written binary.
//
// Usage: node workloads/build.mjs [--force] [--strict] [--out DIR] [--quiet]
//   --strict  treat compiler warnings as errors (-Werror); tests use it
//   --out     build into DIR/<arch>/ instead of build/native/<arch>/
// Exit codes: 0 built or up to date (foreign arch may be skipped), 1 compile failure or missing toolchain, 2 usage.
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const VCWORK_DIR = path.join(ROOT, 'workloads', 'vcwork')
const VCPROBE_SRC = path.join(ROOT, 'probes', 'native', 'vcprobe.c')
export const CFLAGS = ['-O2', '-static', '-std=gnu11', '-Wall', '-Wextra']
const LIBS = ['-lm']

const ARCH_OF_NODE = { x64: 'x86_64', arm64: 'aarch64' }
/** Cross compiler for each target architecture and the Debian packages that provide it. */
const CROSS = {
  x86_64: { cc: 'x86_64-linux-gnu-gcc', pkgs: 'gcc-x86-64-linux-gnu libc6-dev-amd64-cross' },
  aarch64: { cc: 'aarch64-linux-gnu-gcc', pkgs: 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross' },
}
/** ELF e_machine of each architecture: a wrong-arch binary is a build failure, not a tier surprise. */
const ELF_MACHINE = { x86_64: 62, aarch64: 183 }

export class BuildError extends Error {}

const listSources = (dir, exts) =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => exts.some((e) => f.endsWith(e)))
        .sort()
        .map((f) => path.join(dir, f))
    : []

function compilerId(cc) {
  const r = spawnSync(cc, ['--version'], { encoding: 'utf8' })
  if (r.error) return undefined
  return (r.stdout.split('\n')[0] ?? '').trim()
}

function projectVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version ?? '0.0.0-dev'
  } catch {
    return '0.0.0-dev'
  }
}

function hashInputs(files, extra) {
  const h = createHash('sha256')
  h.update(extra.join('\0'))
  for (const f of files) {
    h.update(`\0${path.relative(ROOT, f)}\0`)
    h.update(fs.readFileSync(f))
  }
  return h.digest('hex')
}

/** Explains a failed compile in one line, naming the Debian package when a library or header is missing. */
function explainFailure(stderr, { cc, arch, libcPkg }) {
  const missingLibc = /cannot find -lc\b|cannot find crt1\.o|cannot find -lm\b|stdio\.h: No such file|libc\.a/.test(stderr)
  if (missingLibc) return `static C library for ${arch} not found by ${cc}; install the Debian package ${libcPkg}`
  const first = stderr.split('\n').find((l) => /error/i.test(l)) ?? stderr.split('\n')[0] ?? ''
  return `compile failed (${cc}, ${arch}): ${first.trim()}`
}

function elfMachine(file) {
  const fd = fs.openSync(file, 'r')
  try {
    const b = Buffer.alloc(20)
    fs.readSync(fd, b, 0, 20, 0)
    return b.readUInt32BE(0) === 0x7f454c46 ? b.readUInt16LE(18) : -1
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Compiles one binary if its inputs changed. Returns 'built' | 'up-to-date'; throws BuildError with one line.
 */
function compile({ cc, arch, name, sources, headers, outDir, force, strict, libcPkg, version, log }) {
  const out = path.join(outDir, arch, name)
  const stamp = path.join(outDir, arch, `.${name}.sha256`)
  const flags = [...CFLAGS, ...(strict ? ['-Werror'] : []), `-DVCWORK_VERSION="${version}"`]
  const id = compilerId(cc)
  if (id === undefined) throw new BuildError(`${cc} not found`)
  // -Werror changes no output byte: a strict build of unchanged inputs is up to date too
  const digest = hashInputs([...sources, ...headers], [cc, id, ...flags.filter((f) => f !== '-Werror'), ...LIBS])
  if (!force && fs.existsSync(out) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === digest) {
    return 'up-to-date'
  }
  fs.mkdirSync(path.dirname(out), { recursive: true })
  const tmp = `${out}.tmp-${process.pid}`
  const t0 = Date.now()
  const r = spawnSync(cc, [...flags, '-o', tmp, ...sources, ...LIBS], { encoding: 'utf8' })
  if (r.error || r.status !== 0) {
    fs.rmSync(tmp, { force: true })
    throw new BuildError(explainFailure(`${r.stderr ?? ''}${r.error?.message ?? ''}`, { cc, arch, libcPkg }))
  }
  if (r.stderr.trim() !== '') log(`vcwork build: warnings from ${cc} for ${name}:\n${r.stderr.trim()}`)
  const machine = elfMachine(tmp)
  if (machine !== ELF_MACHINE[arch]) {
    fs.rmSync(tmp, { force: true })
    throw new BuildError(`${cc} produced a binary for ELF machine ${machine}, not ${arch}`)
  }
  fs.renameSync(tmp, out)
  fs.writeFileSync(`${stamp}.tmp-${process.pid}`, `${digest}\n`)
  fs.renameSync(`${stamp}.tmp-${process.pid}`, stamp)
  log(`vcwork build: built ${path.relative(ROOT, out)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
  return 'built'
}

/**
 * Builds all native binaries. Returns { results: [{arch, name, status}], skipped: [reason] }.
 * Throws BuildError (one line) on a missing native toolchain or a compile failure.
 */
export function buildNative({ force = false, strict = false, outDir = path.join(ROOT, 'build', 'native'), log = console.error } = {}) {
  const hostArch = ARCH_OF_NODE[process.arch]
  if (!hostArch) throw new BuildError(`unsupported host architecture ${process.arch} (supported: x64, arm64)`)
  const foreignArch = hostArch === 'x86_64' ? 'aarch64' : 'x86_64'
  const cross = CROSS[foreignArch]
  const version = projectVersion()
  const vcSources = listSources(VCWORK_DIR, ['.c'])
  const vcHeaders = listSources(VCWORK_DIR, ['.h'])
  if (vcSources.length === 0) throw new BuildError(`no vcwork sources in ${path.relative(ROOT, VCWORK_DIR)}`)
  const common = { outDir, force, strict, version, log }
  const results = []
  const skipped = []

  if (compilerId('gcc') === undefined) {
    throw new BuildError('gcc not found; install the Debian packages gcc and libc6-dev (apt-get install gcc libc6-dev)')
  }
  const native = { ...common, cc: 'gcc', arch: hostArch, libcPkg: 'libc6-dev' }
  results.push({ arch: hostArch, name: 'vcwork', status: compile({ ...native, name: 'vcwork', sources: vcSources, headers: vcHeaders }) })
  if (fs.existsSync(VCPROBE_SRC)) {
    const probeHeaders = listSources(path.dirname(VCPROBE_SRC), ['.h'])
    results.push({
      arch: hostArch,
      name: 'vcprobe',
      status: compile({ ...native, name: 'vcprobe', sources: [VCPROBE_SRC], headers: probeHeaders }),
    })
  }

  if (compilerId(cross.cc) === undefined) {
    skipped.push(
      `${foreignArch} build skipped: ${cross.cc} not found (install ${cross.pkgs}); the emu-${foreignArch} tier will not be available`,
    )
  } else {
    try {
      const foreign = { ...common, cc: cross.cc, arch: foreignArch, libcPkg: cross.pkgs.split(' ')[1] }
      results.push({
        arch: foreignArch,
        name: 'vcwork',
        status: compile({ ...foreign, name: 'vcwork', sources: vcSources, headers: vcHeaders }),
      })
      // vcprobe too: the packaged executable embeds both helpers for both architectures
      if (fs.existsSync(VCPROBE_SRC)) {
        const probeHeaders = listSources(path.dirname(VCPROBE_SRC), ['.h'])
        results.push({
          arch: foreignArch,
          name: 'vcprobe',
          status: compile({ ...foreign, name: 'vcprobe', sources: [VCPROBE_SRC], headers: probeHeaders }),
        })
      }
    } catch (e) {
      // a cross toolchain without its static libc is a missing optional dependency, not a broken build
      if (e instanceof BuildError && e.message.startsWith('static C library')) {
        skipped.push(`${foreignArch} build skipped: ${e.message}; the emu-${foreignArch} tier will not be available`)
      } else {
        throw e
      }
    }
  }
  return { results, skipped }
}

function main(argv) {
  const opts = { force: false, strict: false, quiet: false, outDir: undefined }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--force') opts.force = true
    else if (a === '--strict') opts.strict = true
    else if (a === '--quiet') opts.quiet = true
    else if (a === '--out' && argv[i + 1]) opts.outDir = path.resolve(argv[++i])
    else {
      console.error(`vcwork build: unknown option ${a} (usage: node workloads/build.mjs [--force] [--strict] [--out DIR] [--quiet])`)
      return 2
    }
  }
  try {
    const { skipped } = buildNative({
      force: opts.force,
      strict: opts.strict,
      ...(opts.outDir ? { outDir: opts.outDir } : {}),
      log: opts.quiet ? () => {} : (l) => console.error(l),
    })
    for (const s of skipped) console.error(`vcwork build: ${s}`)
    return 0
  } catch (e) {
    if (e instanceof BuildError) {
      console.error(`vcwork build: ${e.message}`)
      return 1
    }
    throw e
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2))
}
