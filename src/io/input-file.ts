/**
 * The one way a file named by the user is read (run reports, snapshots, history indexes, guest kernels):
 * only a regular file (a FIFO, a terminal, /dev/zero or a directory is refused before any byte is read),
 * opened non-blocking so a FIFO without a writer cannot hang the open, and no bigger than a cap, so no
 * input can exhaust memory. Every refusal is one InputFileError line (exit 2).
 */
import { closeSync, constants, fstatSync, openSync, promises as fsp } from 'node:fs'
import { InputFileError } from '../core/errors.js'

const MiB = 1024 * 1024

/** Caps per kind of input: far above any real file, far below what would hurt the machine. */
export const INPUT_LIMITS = {
  runReport: 64 * MiB,
  snapshot: 64 * MiB,
  historyIndex: 16 * MiB,
  kernel: 512 * MiB,
} as const

const kindOf = (st: {
  isDirectory(): boolean
  isFIFO(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
  isSocket(): boolean
}): string =>
  st.isDirectory()
    ? 'a directory'
    : st.isFIFO()
      ? 'a FIFO (named pipe)'
      : st.isCharacterDevice()
        ? 'a character device'
        : st.isBlockDevice()
          ? 'a block device'
          : st.isSocket()
            ? 'a socket'
            : 'not a regular file'

const whyNot = (e: unknown): string => {
  const code = (e as { code?: string }).code
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'ELOOP'
          ? 'too many symbolic links'
          : `cannot read (${code ?? String(e)})`
}

export interface InputFileOptions {
  /** The name shown in messages (defaults to the path). */
  readonly name?: string
  /** What the file should be, for messages: "run report", "host snapshot"... */
  readonly what: string
  readonly maxBytes: number
}

const tooBig = (name: string, what: string, bytes: number, max: number): InputFileError =>
  new InputFileError(`${name}: too big for a ${what} (${(bytes / MiB).toFixed(1)} MiB; the limit is ${max / MiB} MiB)`)

/** Read a regular file whole, as bytes, after checking its type and size. */
export const readInputBytes = async (path: string, o: InputFileOptions): Promise<Buffer> => {
  const name = o.name ?? path
  let fh
  try {
    fh = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (e) {
    throw new InputFileError(`${name}: cannot read ${o.what}: ${whyNot(e)}`)
  }
  try {
    const st = await fh.stat()
    if (!st.isFile())
      throw new InputFileError(`${name}: cannot read ${o.what}: ${kindOf(st)}, not a regular file`, 'give the path of a saved file')
    if (st.size > o.maxBytes) throw tooBig(name, o.what, st.size, o.maxBytes)
    // read at most one byte past the cap: a file that grows while it is read is still bounded
    const buf = Buffer.alloc(Math.min(o.maxBytes + 1, Math.max(st.size, 64 * 1024)))
    let got = 0
    for (;;) {
      if (got === buf.length) break
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    if (got > o.maxBytes) throw tooBig(name, o.what, got, o.maxBytes)
    return buf.subarray(0, got)
  } catch (e) {
    if (e instanceof InputFileError) throw e
    throw new InputFileError(`${name}: cannot read ${o.what}: ${whyNot(e)}`)
  } finally {
    await fh.close().catch(() => undefined)
  }
}

/** Read a regular file whole as UTF-8 text. */
export const readInputText = async (path: string, o: InputFileOptions): Promise<string> => (await readInputBytes(path, o)).toString('utf8')

/** Check, without reading, that a path is a regular file within the cap (for files read later, like --kernel). */
export const checkInputFile = (path: string, o: InputFileOptions): void => {
  const name = o.name ?? path
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (e) {
    throw new InputFileError(`${name}: cannot read ${o.what}: ${whyNot(e)}`)
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new InputFileError(`${name}: cannot read ${o.what}: ${kindOf(st)}, not a regular file`)
    if (st.size > o.maxBytes) throw tooBig(name, o.what, st.size, o.maxBytes)
    if (st.size === 0) throw new InputFileError(`${name}: the ${o.what} is empty`)
  } finally {
    closeSync(fd)
  }
}
