/**
 * Where virtcheck's own files live: the package root (for build/native helpers and report assets)
 * and the working folder for generated output (`.virtcheck/` under the current directory by default).
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

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

export const PACKAGE_ROOT = findPackageRoot()

export const packageVersion = (): string =>
  (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version

/** uname -m spelling for Node's process.arch. */
export const unameArch = (nodeArch: string = process.arch): string =>
  ({ x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', arm: 'armv7l', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' })[
    nodeArch
  ] ?? nodeArch

/** Path of one of the project's static helpers (`vcwork`, `vcprobe`) for an architecture. */
export const nativeBinary = (name: 'vcwork' | 'vcprobe', arch: string = unameArch()): string =>
  join(PACKAGE_ROOT, 'build', 'native', arch, name)

/**
 * The working folder for generated output; `VIRTCHECK_HOME` overrides. With the command's context, its
 * environment and current directory decide (the CLI run in-process by the tests has its own).
 */
export const workDir = (ctx?: { readonly env: Readonly<Record<string, string | undefined>>; readonly cwd: string }): string =>
  resolve(ctx?.env['VIRTCHECK_HOME'] ?? process.env['VIRTCHECK_HOME'] ?? join(ctx?.cwd ?? process.cwd(), '.virtcheck'))
