/**
 * Put an NFD feature file in place the way NFD documents: write a dot-file in the same folder (nfd-worker
 * ignores dot-files), then rename it over the target, so the worker never reads half a file. The folder
 * (NFD's features.d) must exist: it was checked before the probe, and is never created here.
 */
import { promises as fsp } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { UsageError } from '../core/errors.js'

export const nfdTempPath = (path: string): string => join(dirname(path), `.${basename(path)}.tmp-${process.pid}`)

export const writeNfdFileAtomic = async (path: string, text: string): Promise<void> => {
  const tmp = nfdTempPath(path)
  try {
    await fsp.writeFile(tmp, text, { encoding: 'utf8', mode: 0o644 })
    await fsp.rename(tmp, path)
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined)
    const code = (e as { code?: string }).code
    const why =
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'permission denied (read-only?)'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'ENOTDIR'
            ? 'a parent is not a directory'
            : code === 'ENOENT'
              ? 'the folder does not exist'
              : (code ?? (e as Error).message)
    throw new UsageError(`cannot write the NFD feature file ${path}: ${why}`)
  }
}
