/**
 * The packaged executable (a Node single-executable application) carries vcwork and vcprobe for both
 * architectures as SEA assets. On first use each one is written into virtcheck's cache, under a folder
 * named for its SHA-256, and checked against the hash the bundle was built with; later runs reuse the
 * file after checking its hash again (a truncated or edited file is rewritten, never executed).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** What the packaging step writes into the bundle: the version and each helper's SHA-256 by `<arch>/<name>`. */
export interface EmbeddedBuild {
  readonly version: string
  readonly helpers: Readonly<Record<string, string>>
}

// node:crypto is loaded on first use: importing it costs ~5 ms of every start, and only the executable
// (Node 24, which has getBuiltinModule) ever extracts a helper
const sha256 = (data: Uint8Array): string =>
  (process.getBuiltinModule('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(data).digest('hex')

/** The SEA asset reader when this process is the packaged executable, else undefined. */
export const seaAssets = (): { getRawAsset(key: string): ArrayBuffer | string } | undefined => {
  const sea = process.getBuiltinModule?.('node:sea') as typeof import('node:sea') | undefined
  return sea?.isSea() ? sea : undefined
}

/** Files already checked by this process (a run asks for vcwork many times). */
const ready = new Set<string>()

/**
 * Path of the extracted helper `key` (`x86_64/vcwork`), extracting it when absent or when its bytes do
 * not match. Undefined when the executable does not carry that helper.
 */
export const extractHelper = (
  key: string,
  build: EmbeddedBuild,
  cacheDir: string,
  assets: { getRawAsset(key: string): ArrayBuffer | string },
): string | undefined => {
  const want = build.helpers[key]
  if (want === undefined) return undefined
  const [arch, name] = key.split('/') as [string, string]
  const dir = join(cacheDir, 'helpers', `${arch}-${want.slice(0, 16)}`)
  const file = join(dir, name)
  if (ready.has(file)) return file
  if (!(existsSync(file) && sha256(readFileSync(file)) === want)) {
    const raw = assets.getRawAsset(key)
    const data = typeof raw === 'string' ? Buffer.from(raw) : new Uint8Array(raw)
    const got = sha256(data)
    if (got !== want)
      throw new Error(`the executable's embedded ${key} is damaged (sha256 ${got}, built with ${want}); download virtcheck again`)
    mkdirSync(dir, { recursive: true, mode: 0o755 })
    const tmp = `${file}.tmp-${process.pid}`
    writeFileSync(tmp, data, { mode: 0o755 })
    chmodSync(tmp, 0o755) // the umask may have taken bits away
    renameSync(tmp, file) // atomic: a concurrent run never executes a half-written helper
  }
  ready.add(file)
  return file
}
