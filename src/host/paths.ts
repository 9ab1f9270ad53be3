/**
 * Where virtcheck's own files live: the package root (for build/native helpers and report assets)
 * and the working folder for generated output (`.virtcheck/` under the current directory by default).
 * In the packaged executable there is no package folder: the version and the helpers come from the
 * executable itself (embedded-helpers.ts).
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { guestCacheDir } from '../guest/cache-paths.js'
import { extractHelper, seaAssets, type EmbeddedBuild } from './embedded-helpers.js'

/** Replaced by the bundler (packaging/bundle.mjs `define`); an undeclared global from source. */
declare const __VIRTCHECK_EMBEDDED__: EmbeddedBuild | undefined
const EMBEDDED: EmbeddedBuild | undefined = typeof __VIRTCHECK_EMBEDDED__ === 'undefined' ? undefined : __VIRTCHECK_EMBEDDED__
/** The SEA asset reader, only in the packaged executable (a bundle run by a plain node uses the package folder). */
const SEA = EMBEDDED ? seaAssets() : undefined

const findPackageRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'virtcheck') return dir
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('virtcheck package root not found above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
}

/** The package folder; for the packaged executable, the folder it lies in (it needs nothing there). */
export const PACKAGE_ROOT = SEA ? dirname(process.execPath) : findPackageRoot()

export const packageVersion = (): string =>
  EMBEDDED?.version ?? (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version

/** True when this process is the packaged single executable. */
export const isPackagedExecutable = (): boolean => SEA !== undefined

/** uname -m spelling for Node's process.arch. */
export const unameArch = (nodeArch: string = process.arch): string =>
  ({ x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', arm: 'armv7l', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' })[nodeArch] ??
  nodeArch

/** Path of one of the project's static helpers (`vcwork`, `vcprobe`) for an architecture. */
export const nativeBinary = (name: 'vcwork' | 'vcprobe', arch: string = unameArch()): string =>
  (EMBEDDED && SEA ? extractHelper(`${arch}/${name}`, EMBEDDED, guestCacheDir(), SEA) : undefined) ??
  join(PACKAGE_ROOT, 'build', 'native', arch, name)

/**
 * The working folder for generated output; `VIRTCHECK_HOME` overrides. With the command's context, its
 * environment and current directory decide (the CLI run in-process by the tests has its own).
 */
export const workDir = (ctx?: { readonly env: Readonly<Record<string, string | undefined>>; readonly cwd: string }): string =>
  resolve(ctx?.env['VIRTCHECK_HOME'] ?? process.env['VIRTCHECK_HOME'] ?? join(ctx?.cwd ?? process.cwd(), '.virtcheck'))
